import Cookies from 'js-cookie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLICK_COOKIE, decodeClick } from './contract.ts';
import { init } from './kit.ts';
import { useFreshPage } from './test/fresh-page.ts';

// What a page without a new click pays at load: nothing from storage until idle
// time, and then one cookie read (localStorage only when the cookie is gone).

const CLICK = '23opevjt88psuo13lu8d020qkn';
useFreshPage();
afterEach(() => vi.restoreAllMocks());
const idle = () => new Promise((resolve) => setTimeout(resolve, 5));
const field = (form: Element | null, name: string) =>
  (form as HTMLFormElement).elements.namedItem(name) as HTMLInputElement | null;

describe('pages without a new click', () => {
  it('read no storage at load; idle time restores the cookie from the mirror', async () => {
    localStorage.setItem(CLICK_COOKIE, `1.${Date.now()}.${CLICK}`);
    const read = vi.spyOn(Storage.prototype, 'getItem');
    const jar = vi.spyOn(Cookies, 'get');
    init({ endpoint: '/tw/events' });
    expect(read).not.toHaveBeenCalled();
    expect(jar).not.toHaveBeenCalled();
    await idle();
    expect(decodeClick(Cookies.get(CLICK_COOKIE))?.twclid).toBe(CLICK);
  });

  it('never read localStorage while the kit cookie is there', async () => {
    Cookies.set(CLICK_COOKIE, `1.${Date.now()}.${CLICK}`);
    document.body.innerHTML = '<form data-tw-event="o87ne"></form>';
    const read = vi.spyOn(Storage.prototype, 'getItem');
    const kit = init({ endpoint: '/tw/events' });
    await idle();
    kit.track('o87ne');
    expect(kit.getClick()?.twclid).toBe(CLICK);
    expect(field(document.querySelector('form'), 'twclid')?.value).toBe(CLICK);
    expect(read).not.toHaveBeenCalled();
  });

  it('decorate forms at idle time, and a submit before that still posts the fields', async () => {
    Cookies.set(CLICK_COOKIE, `1.${Date.now()}.${CLICK}`);
    document.body.innerHTML =
      '<form id="a" data-tw-event="o87ne"></form><form id="b" data-tw-event="o87ne"></form>';
    init({});
    const [a, b] = [document.getElementById('a'), document.getElementById('b')];
    expect(field(a, 'conversion_id')).toBeNull();
    a?.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(field(a, 'twclid')?.value).toBe(CLICK);
    expect(field(a, 'conversion_id')?.value).toMatch(/^[0-9a-f-]{36}$/);
    await idle();
    expect(field(b, 'twclid')?.value).toBe(CLICK);
  });

  it('read the cookie once per page load, however many forms there are', async () => {
    Cookies.set(CLICK_COOKIE, `1.${Date.now()}.${CLICK}`);
    document.body.innerHTML = '<form data-tw-event="a"></form><form data-tw-event="b"></form>';
    const jar = vi.spyOn(Cookies, 'get');
    init({});
    await idle();
    expect(jar).toHaveBeenCalledTimes(1);
    for (const form of document.querySelectorAll('form'))
      expect(field(form, 'twclid')?.value).toBe(CLICK);
  });
});

describe('a landing', () => {
  it('reads the cookie once, and decorates the forms with the landed click', () => {
    window.history.replaceState(null, '', `/?twclid=${CLICK}`);
    document.body.innerHTML = '<form data-tw-event="a"></form>';
    const jar = vi.spyOn(Cookies, 'get');
    init({});
    expect(jar).toHaveBeenCalledTimes(1);
    expect(field(document.querySelector('form'), 'twclid')?.value).toBe(CLICK);
  });
});
