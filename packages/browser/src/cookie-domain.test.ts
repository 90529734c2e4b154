// @vitest-environment-options {"url": "http://shop.example.com/"}
import Cookies from 'js-cookie';
import { describe, expect, it } from 'vitest';
import { findCookieDomain } from './cookie-domain.ts';

// Real browsers also refuse public suffixes (co.uk): that is covered in Chromium
// by e2e/browser-script; happy-dom knows no public-suffix list.
describe('findCookieDomain', () => {
  it('finds the widest domain the browser accepts and leaves no probe behind', () => {
    expect(findCookieDomain('shop.example.com')).toBe('example.com');
    expect(document.cookie).toBe('');
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('uses a host-only cookie on %s', (host) => {
    expect(findCookieDomain(host)).toBe('');
  });

  it('returns host-only when the browser accepts no domain cookie', () => {
    const set = Cookies.set;
    Cookies.set = () => undefined;
    try {
      expect(findCookieDomain('shop.example.com')).toBe('');
    } finally {
      Cookies.set = set;
    }
  });
});
