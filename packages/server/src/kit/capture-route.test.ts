import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { post, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';

describe('twclidKit route', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('POST /capture refreshes the click cookie (Lax, path /, 90 days, Secure on https, readable by the script)', async () => {
    const { app } = setup();
    const res = await post(app, '/tw/capture', { twclid: TWCLID });
    expect(res.status).toBe(204);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
    expect(cookie).toContain('Max-Age=7776000');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
    expect(cookie).not.toMatch(/HttpOnly/i);

    const http = await app.request('http://shop.example/tw/capture', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://shop.example' },
      body: JSON.stringify({ twclid: TWCLID }),
    });
    expect(http.headers.get('set-cookie')).not.toContain('Secure');
  });

  it('POST /capture sets the cookie on the domain the script used, only the host or a parent of it', async () => {
    const { app } = setup({ allowedOrigins: ['https://shop.example.com'] });
    const capture = async (domain: unknown, host = 'shop.example.com') => {
      const res = await app.request(`https://${host}/tw/capture`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: `https://${host}` },
        body: JSON.stringify({ twclid: TWCLID, domain }),
      });
      expect(res.status).toBe(204);
      return res.headers.get('set-cookie') ?? '';
    };
    // The registrable domain the script probed: the same cookie the script wrote.
    expect(await capture('example.com')).toContain('Domain=example.com');
    expect(await capture('shop.example.com')).toContain('Domain=shop.example.com');
    // A domain the host is not part of, or a bare top-level domain: host-only.
    for (const foreign of ['evil.example', 'com', 'other.example.com', '', 42]) {
      const cookie = await capture(foreign);
      expect(cookie, String(foreign)).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
      expect(cookie, String(foreign)).not.toMatch(/Domain=/i);
    }
    // No domain sent (an older script, or host-only on localhost/IPs): host-only.
    expect(await capture(undefined)).not.toMatch(/Domain=/i);
  });

  it("POST /capture falls back to the configured cookie.domain; the script's checked domain wins", async () => {
    const { app } = setup({ cookie: { domain: 'shop.example' } });
    const capture = async (body: Record<string, unknown>) =>
      (await post(app, '/tw/capture', body)).headers.get('set-cookie') ?? '';
    expect(await capture({ twclid: TWCLID })).toContain('Domain=shop.example');
    expect(await capture({ twclid: TWCLID, domain: 'evil.example' })).toContain(
      'Domain=shop.example',
    );
  });

  it('POST /capture rejects a bad click ID and stores nothing under GPC', async () => {
    const { app } = setup();
    const bad = await post(app, '/tw/capture', { twclid: 'no spaces <>' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'twclid' } });
    const gpc = await post(app, '/tw/capture', { twclid: TWCLID }, { 'sec-gpc': '1' });
    expect(gpc.headers.get('set-cookie')).toBeNull();
  });
});
