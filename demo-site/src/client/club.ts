/**
 * Flow C: a server-side conversion after a payment. The page mints the
 * conversion_id and sends it with the payment; the server charges the card and
 * calls `sendConversion(c, { conversionId, ... })`. Only then does the page fire
 * the Pixel with the same ID, so a declined card sends neither copy.
 */
import { kit } from './kit-global.ts';

interface JoinAnswer {
  next?: string;
  error?: { message: string };
}

const form = document.querySelector<HTMLFormElement>('#club-form');
const result = document.querySelector<HTMLElement>('#club-result');
const say = (text: string) => {
  if (result) result.textContent = text;
};

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button');
  const data = new FormData(form);
  const email = String(data.get('email') ?? '');
  const { pixelId = '', signupEvent = '', price = '0' } = form.dataset;
  if (button) button.disabled = true;
  say('Processing payment…');
  try {
    const conversionId = kit().newConversionId();
    const response = await fetch('/api/club/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, card: data.get('card'), conversion_id: conversionId }),
    });
    const answer = (await response.json()) as JoinAnswer;
    if (!response.ok || !answer.next) {
      say(answer.error?.message ?? `Payment failed (HTTP ${response.status}).`);
      return;
    }
    // The Pixel copy of the conversion the server just queued: same event, same conversion_id.
    window.twq?.('event', `tw-${pixelId}-${signupEvent}`, {
      conversion_id: conversionId,
      email_address: email,
      value: Number(price),
      currency: 'USD',
    });
    location.assign(answer.next);
  } catch (error) {
    say((error as Error).message);
  } finally {
    if (button) button.disabled = false;
  }
});
