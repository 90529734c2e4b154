/**
 * The dashboard's live part: every second it fetches the server-rendered panels
 * (the server reads the emulator's inspection API and the kit's stats) and
 * swaps in only the regions that changed, so the fault switch is not replaced
 * under the pointer while it is being clicked.
 */
const POLL_MS = 1000;

const live = document.querySelector<HTMLElement>('#live');

/** Replaces each `[data-region]` whose markup changed; the whole panel when the layout did. */
function patch(root: HTMLElement, html: string): void {
  const next = document.createElement('template');
  next.innerHTML = html;
  const regions = [...next.content.querySelectorAll<HTMLElement>('[data-region]')];
  const current = (name: string | undefined) =>
    root.querySelector<HTMLElement>(`[data-region="${name}"]`);
  if (
    regions.length === 0 ||
    regions.length !== root.querySelectorAll('[data-region]').length ||
    regions.some((region) => !current(region.dataset.region))
  ) {
    root.replaceChildren(next.content);
    return;
  }
  for (const region of regions) {
    const old = current(region.dataset.region);
    if (old && old.outerHTML !== region.outerHTML) old.replaceWith(region);
  }
}

async function refresh(): Promise<void> {
  if (document.hidden || !live) return; // no polling from a background tab
  try {
    const response = await fetch('/dashboard/live', { headers: { accept: 'text/html' } });
    if (response.ok) patch(live, await response.text());
  } catch {
    // The server restarting: keep the last view and try again on the next tick.
  }
}

// Delegated: the fault switch is one of the regions `refresh()` may replace.
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
