/**
 * Flow B: a JavaScript conversion. One `track()` call fires the Pixel event and
 * posts the same event, with the same conversion_id, to the kit's route.
 */
import { kit } from './kit-global.ts';

const form = document.querySelector<HTMLFormElement>('#lead-form');
const result = document.querySelector<HTMLElement>('#lead-result');

form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const email = String(data.get('email') ?? '');
  const company = String(data.get('company') ?? '').trim();
  try {
    const conversionId = kit().track(form.dataset.leadEvent ?? '', {
      email,
      description: company ? `Wholesale enquiry from ${company}` : 'Wholesale enquiry',
    });
    if (result) {
      result.dataset.conversionId = conversionId;
      result.textContent = `Thanks, we will call you back. Lead sent with conversion_id ${conversionId}.`;
    }
    form.reset();
  } catch (error) {
    if (result) result.textContent = (error as Error).message;
  }
});
