import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createClickCookie } from './click-cookie.ts';
import { requestFacts } from './request-facts.ts';
import type { Twclid } from './twclid.ts';

const T0 = Date.UTC(2026, 0, 1);
const CLICK = '23opevjt88psuo13lu8d020qkn';

function app(domain?: string) {
  const factsOf = requestFacts({ ipOptions: {}, proxied: false, respectGpc: true });
  const cookie = createClickCookie({ name: '_twclid_kit', days: 90, domain }, factsOf, () => T0);
  const site = new Hono();
  site.get('/read', (c) => c.text(cookie.read(c) ?? 'none'));
  site.get('/refresh', (c) => {
    cookie.refresh(c, CLICK as Twclid);
    return c.body(null, 204);
  });
  return site;
}

describe('click cookie', () => {
  it.each([
    ['our cookie', `_twclid_kit=1.${T0}.${CLICK}`, CLICK],
    ['ours before the Pixel’s', `_twclid=pixel1; _twclid_kit=1.${T0}.${CLICK}`, CLICK],
    ['the Pixel’s plain _twclid', '_twclid=abc123', 'abc123'],
    [
      'the Pixel’s JSON _twclid',
      `_twclid=${encodeURIComponent(JSON.stringify({ twclid: 'abc123', timestamp: 1 }))}`,
      'abc123',
    ],
    ['a Pixel cookie of unknown format', `_twclid=${encodeURIComponent('{"x":')}`, 'none'],
    [
      'a JSON Pixel cookie with a bad ID',
      `_twclid=${encodeURIComponent('{"twclid":"a b"}')}`,
      'none',
    ],
    ['a malformed cookie of ours and no Pixel cookie', '_twclid_kit=2.x.y', 'none'],
    ['no cookie', '', 'none'],
  ])('reads %s', async (_name, cookie, expected) => {
    const res = await app().request('https://shop.example/read', { headers: { cookie } });
    expect(await res.text()).toBe(expected);
  });

  it('writes 1.<clickedAt>.<twclid> for 90 days, readable by the script, Secure on https', async () => {
    const res = await app('shop.example').request('https://www.shop.example/refresh');
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toContain(`_twclid_kit=1.${T0}.${CLICK}`);
    expect(set).toContain(`Max-Age=${90 * 86_400}`);
    expect(set).toContain('Domain=shop.example');
    expect(set).toContain('Secure');
    expect(set).toContain('SameSite=Lax');
    expect(set).not.toContain('HttpOnly');
  });

  it('is not Secure on plain http (local development)', async () => {
    const res = await app().request('http://localhost:3000/refresh');
    expect(res.headers.get('set-cookie')).not.toContain('Secure');
  });
});
