// @vitest-environment-options {"url": "https://shop.example.com/landing"}
import Cookies from 'js-cookie';
import { describe, expect, it, vi } from 'vitest';
import { clearClick, saveClick } from './click-store.ts';
import { CLICK_COOKIE } from './contract.ts';

describe('click cookie attributes on https', () => {
  it('sets Secure, SameSite=Lax, path / and the registrable domain', () => {
    const set = vi.spyOn(Cookies, 'set');
    saveClick({ twclid: 'abc', clickedAt: 1_700_000_000_000 }, 90);
    const call = set.mock.calls.find(([name]) => name === CLICK_COOKIE);
    expect(call?.[1]).toBe('1.1700000000000.abc');
    expect(call?.[2]).toEqual({
      path: '/',
      domain: 'example.com',
      sameSite: 'Lax',
      secure: true,
      expires: new Date(1_700_000_000_000 + 90 * 864e5),
    });
    set.mockRestore();
  });

  it('clearClick removes the domain cookie, a host-only copy and the mirror', () => {
    saveClick({ twclid: 'abc', clickedAt: Date.now() }, 90);
    const remove = vi.spyOn(Cookies, 'remove');
    clearClick();
    expect(remove.mock.calls).toEqual([
      [CLICK_COOKIE, { path: '/', domain: 'example.com', sameSite: 'Lax', secure: true }],
      [CLICK_COOKIE, { path: '/' }],
    ]);
    expect(localStorage.getItem(CLICK_COOKIE)).toBeNull();
    remove.mockRestore();
  });
});
