import { describe, expect, it } from 'vitest';
import { init } from './kit.ts';
import { twqCalls, useFreshPage } from './test/fresh-page.ts';

const CLICK = '23opevjt88psuo13lu8d020qkn';
useFreshPage();

const field = (form: Element | null, name: string) =>
  (form as HTMLFormElement).elements.namedItem(name) as HTMLInputElement | null;
const submit = (form: Element | null) =>
  form?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
const settle = () => new Promise((resolve) => setTimeout(resolve, 0)); // MutationObserver callbacks

describe('form decoration', () => {
  it('adds hidden twclid and conversion_id inputs to data-tw-event forms only', () => {
    window.history.replaceState(null, '', `/?twclid=${CLICK}`);
    document.body.innerHTML =
      '<form id="lead" data-tw-event="o87ne"></form><form id="search"></form>';
    init({ pixelId: 'o8z6j' });
    const lead = document.getElementById('lead');
    expect(field(lead, 'twclid')).toMatchObject({ type: 'hidden', value: CLICK });
    expect(field(lead, 'conversion_id')?.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(document.getElementById('search')?.children).toHaveLength(0);
  });

  it('decorates forms added after load (MutationObserver)', async () => {
    init({});
    const form = document.createElement('form');
    form.setAttribute('data-tw-event', 'o87ne');
    document.body.append(form);
    await settle();
    expect(field(form, 'conversion_id')?.type).toBe('hidden');
    expect(form.querySelectorAll('input')).toHaveLength(2);
  });

  it('refreshes the fields on each submit and fires the Pixel with the same conversion_id and raw email/phone', () => {
    window.history.replaceState(null, '', `/?twclid=${CLICK}`);
    document.body.innerHTML = `<form data-tw-event="tw-o8z6j-o87ne">
      <input type="email" name="work_email" value=" Jane@Example.com ">
      <input type="tel" name="mobile" value="+44 20 7946 0000"></form>`;
    init({ pixelId: 'o8z6j' });
    const form = document.querySelector('form');
    const before = field(form, 'conversion_id')?.value;
    submit(form);
    const first = field(form, 'conversion_id')?.value;
    submit(form);
    const second = field(form, 'conversion_id')?.value;
    expect(new Set([before, first, second]).size).toBe(3);
    expect(twqCalls()).toEqual([
      [
        'event',
        'tw-o8z6j-o87ne',
        {
          conversion_id: first,
          email_address: ' Jane@Example.com ',
          phone_number: '+44 20 7946 0000',
        },
      ],
      [
        'event',
        'tw-o8z6j-o87ne',
        {
          conversion_id: second,
          email_address: ' Jane@Example.com ',
          phone_number: '+44 20 7946 0000',
        },
      ],
    ]);
    expect(field(form, 'twclid')?.value).toBe(CLICK);
  });

  it('fills existing fields and uses configured field names', () => {
    document.body.innerHTML = `<form data-tw-event="o87ne">
      <input name="click" value="stale"><input name="cid" value="">
      <input name="contact_mail" value="a@b.c"><input name="contact_phone" value="+15551234567"></form>`;
    window.history.replaceState(null, '', `/?twclid=${CLICK}`);
    init({
      pixelId: 'o8z6j',
      twclidField: 'click',
      conversionIdField: 'cid',
      emailField: 'contact_mail',
      phoneField: 'contact_phone',
    });
    const form = document.querySelector('form');
    submit(form);
    expect(form?.querySelectorAll('input')).toHaveLength(4);
    expect(field(form, 'click')?.value).toBe(CLICK);
    expect(twqCalls()[0]?.[2]).toEqual({
      conversion_id: field(form, 'cid')?.value,
      email_address: 'a@b.c',
      phone_number: '+15551234567',
    });
  });

  it('fires the Pixel with the value and currency of the data-tw-value / data-tw-currency attributes', () => {
    // They win over inputs of the default names.
    document.body.innerHTML = `<form data-tw-event="o87ne" data-tw-value="20.00" data-tw-currency="EUR">
      <input name="value" value="1"><input name="currency" value="USD"></form>`;
    init({});
    submit(document.querySelector('form'));
    expect(twqCalls()[0]?.[2]).toMatchObject({ value: '20.00', currency: 'EUR' });
  });

  it('reads value and currency from inputs named value / currency, as they are at submit', () => {
    document.body.innerHTML = `<form data-tw-event="o87ne">
      <input name="value" value="1.00">
      <select name="currency"><option>USD</option><option>GBP</option></select></form>`;
    init({});
    const form = document.querySelector('form') as HTMLFormElement;
    (field(form, 'value') as HTMLInputElement).value = '39.50';
    (form.elements.namedItem('currency') as HTMLSelectElement).value = 'GBP';
    submit(form);
    expect(twqCalls()[0]?.[2]).toMatchObject({ value: '39.50', currency: 'GBP' });
  });

  it('uses configured value / currency field names and omits them when empty or absent', () => {
    document.body.innerHTML = `<form id="a" data-tw-event="o87ne">
      <input name="total" value="12.5"><input name="cur" value="JPY"><input name="value" value="9"></form>
      <form id="b" data-tw-event="o87ne"><input name="total" value=""></form>`;
    init({ valueField: 'total', currencyField: 'cur' });
    submit(document.getElementById('a'));
    submit(document.getElementById('b'));
    expect(twqCalls()[0]?.[2]).toMatchObject({ value: '12.5', currency: 'JPY' });
    expect(twqCalls()[1]?.[2]).not.toHaveProperty('value');
    expect(twqCalls()[1]?.[2]).not.toHaveProperty('currency');
  });

  it('lets the submission continue (never prevents the default)', () => {
    document.body.innerHTML = '<form data-tw-event="o87ne"></form>';
    init({});
    const event = new Event('submit', { bubbles: true, cancelable: true });
    document.querySelector('form')?.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(false);
  });

  it('posts an empty twclid and fires nothing before consent', () => {
    window.history.replaceState(null, '', `/?twclid=${CLICK}`);
    document.body.innerHTML =
      '<form data-tw-event="o87ne"><input name="email" value="a@b.c"></form>';
    const kit = init({ consent: 'required' });
    const form = document.querySelector('form');
    submit(form);
    expect(field(form, 'twclid')?.value).toBe('');
    expect(twqCalls()).toEqual([]);
    kit.grantConsent();
    submit(form);
    expect(field(form, 'twclid')?.value).toBe(CLICK);
    expect(twqCalls()).toHaveLength(1);
  });

  it('ignores submits of other forms', () => {
    document.body.innerHTML = '<form><input type="email" value="a@b.c"></form>';
    init({});
    submit(document.querySelector('form'));
    expect(twqCalls()).toEqual([]);
  });
});
