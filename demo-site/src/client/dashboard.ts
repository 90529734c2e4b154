/**
 * The dashboard's live part: re-renders the server-rendered panels every second
 * (the server reads the emulator's inspection API and the kit's /health), and
 * drives the fault-injection switch.
 */
const POLL_MS = 1000;

const live = document.querySelector<HTMLElement>('#live');

async function refresh(): Promise<void> {
  if (document.hidden) return; // no polling from a background tab
  try {
    const response = await fetch('/dashboard/live', { headers: { accept: 'text/html' } });
    if (response.ok && live) live.innerHTML = await response.text();
  } catch {
    // The server restarting: keep the last view and try again on the next tick.
  }
}

// Delegated: the fault switch is part of the panels that `refresh()` replaces.
document.addEventListener('submit', async (event) => {
  const form = event.target as HTMLFormElement;
  if (form.id !== 'faults-form') return;
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  await fetch('/api/faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ serverErrorRate: Number(submitter?.value ?? 0) }),
  });
  await refresh();
});

setInterval(refresh, POLL_MS);
