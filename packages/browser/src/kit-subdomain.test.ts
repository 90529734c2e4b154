// @vitest-environment-options {"url": "https://shop.example.com/landing"}
import Cookies from 'js-cookie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLICK_COOKIE } from './contract.ts';
import { init } from './kit.ts';
import { posted, useFreshPage } from './test/fresh-page.ts';

// A site on a subdomain: the script writes the click cookie on the registrable
// domain, and the server must write the very same cookie.
const CLICK = '23opevjt88psuo13lu8d020qkn';
const mocks = useFreshPage();
// useFreshPage removes host-only cookies; these tests also write the domain cookie.
afterEach(() => Cookies.remove(CLICK_COOKIE, { path: '/', domain: 'example.com' }));

describe('click cookie on a subdomain', () => {
  it('sends the domain it wrote the cookie on with the capture call', () => {
    window.history.replaceState(null, '', `/landing?twclid=${CLICK}`);
    init({ endpoint: '/tw/events' });
    expect(posted(mocks.fetch)).toEqual([
      {
        url: '/tw/capture',
        init: expect.objectContaining({ method: 'POST' }),
        body: { twclid: CLICK, domain: 'example.com' },
      },
    ]);
  });

  it('replaces a host-only copy (e.g. set by the server) when it writes the domain cookie', () => {
    // What a server without `cookie.domain` leaves behind: a host-only cookie, an older click.
    Cookies.set(CLICK_COOKIE, '1.1700000000000.olderclick', { path: '/' });
    const remove = vi.spyOn(Cookies, 'remove');
    window.history.replaceState(null, '', `/landing?twclid=${CLICK}`);
    const kit = init({});
    // A removal without a domain attribute deletes only the host-only cookie.
    expect(remove.mock.calls.filter(([name]) => name === CLICK_COOKIE)).toEqual([
      [CLICK_COOKIE, { path: '/' }],
    ]);
    remove.mockRestore();
    const copies = document.cookie.split('; ').filter((c) => c.startsWith(`${CLICK_COOKIE}=`));
    expect(copies).toHaveLength(1);
    expect(kit.getClick()?.twclid).toBe(CLICK);
  });
});
