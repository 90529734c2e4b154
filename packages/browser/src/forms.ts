import {
  CONVERSION_ID_FIELD,
  CURRENCY_FIELD,
  EMAIL_FIELD,
  PHONE_FIELD,
  TWCLID_FIELD,
  VALUE_FIELD,
} from './contract.ts';
import { newConversionId } from './conversion-id.ts';
import type { KitOptions } from './options.ts';
import { safe } from './safe.ts';

/** The Pixel parameters of a form conversion (X's names: raw email and phone). */
export interface FormParams {
  conversion_id: string;
  email_address?: string;
  phone_number?: string;
  /** As written in the form (X's own example sends `"20.00"`, a string). */
  value?: string;
  currency?: string;
}

/** Sets a form field, creating it as a hidden input when absent. */
function setField(form: HTMLFormElement, name: string, value: string): void {
  // `form.elements` also finds inputs tied to the form by a `form="..."` attribute.
  (
    (form.elements.namedItem(name) as HTMLInputElement | null) ||
    form.appendChild(Object.assign(document.createElement('input'), { type: 'hidden', name }))
  ).value = value;
}

/**
 * Listens for the submits of `form[data-tw-event]` forms and returns the
 * function that decorates them, the present ones and (MutationObserver) those
 * added later, with hidden `twclid` and `conversion_id` inputs; the caller
 * runs it when the page can spare the time. On each submit (a capture-phase
 * listener on `document`: it runs before the page's own handlers and sees
 * every form, decorated yet or not) the fields are refreshed with a new
 * conversion_id, and `onSubmit` gets the event ID and the Pixel parameters:
 * that conversion_id, the form's raw email and phone values, and its value and
 * currency (so the Pixel copy, which X may keep over the server's, carries them
 * too). The post itself continues untouched.
 *
 * `twclid()` gives the click ID to post ('' when none, or when it must not be sent).
 */
export function watchForms(
  o: KitOptions,
  twclid: () => string,
  onSubmit: (eventId: string, params: FormParams) => void,
): (click: string) => void {
  const idField = o.conversionIdField || CONVERSION_ID_FIELD;
  const fill = (form: HTMLFormElement, click = twclid()) => {
    const id = newConversionId();
    setField(form, o.twclidField || TWCLID_FIELD, click);
    setField(form, idField, id);
    return id;
  };
  // Named input, or any of the type (email / tel), whichever comes first.
  const inputValue = (form: HTMLFormElement, name: string, type: string) =>
    (form.querySelector(`[name="${name}"],input[type=${type}]`) as HTMLInputElement | null)
      ?.value || undefined;
  // The form's `data-tw-<key>` attribute, else its input (or select, or checked radio) of that name.
  const formValue = (form: HTMLFormElement, key: string, name: string) =>
    form.getAttribute(`data-tw-${key}`) ||
    (form.elements.namedItem(name) as HTMLInputElement | null)?.value ||
    undefined;
  // `click`: the click ID when the caller has just read it (one cookie read per page load).
  const decorate = (click?: string) => {
    for (const form of document.querySelectorAll<HTMLFormElement>('form[data-tw-event]'))
      form.elements.namedItem(idField) || fill(form, click);
  };
  document.addEventListener(
    'submit',
    safe((e: Event) => {
      const form = e.target as HTMLFormElement;
      const eventId = form.getAttribute('data-tw-event');
      if (eventId)
        onSubmit(eventId, {
          conversion_id: fill(form),
          email_address: inputValue(form, o.emailField || EMAIL_FIELD, 'email'),
          phone_number: inputValue(form, o.phoneField || PHONE_FIELD, 'tel'),
          value: formValue(form, 'value', o.valueField || VALUE_FIELD),
          currency: formValue(form, 'currency', o.currencyField || CURRENCY_FIELD),
        });
    }),
    true,
  );
  return (click: string) => {
    decorate(click);
    new MutationObserver(safe(() => decorate())).observe(document, {
      childList: true,
      subtree: true,
    });
  };
}
