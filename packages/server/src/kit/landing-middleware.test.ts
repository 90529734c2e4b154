import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SITE, setup, T0, TWCLID } from '../../test/kit-fixtures.ts';
import type { TwclidEnv } from '../kit.ts';

describe('twclidKit middleware and helpers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('landing middleware sets the click cookie from ?twclid= and exposes c.var.twclid', async () => {
    const { kit } = setup();
    const site = new Hono<TwclidEnv>();
    site.use('*', kit.landing());
    site.get('/', (c) => c.text(c.get('twclid') ?? 'none'));
    const landed = await site.request(`${SITE}/?twclid=${TWCLID}`);
    expect(await landed.text()).toBe(TWCLID);
    expect(landed.headers.get('set-cookie')).toContain(`_twclid_kit=1.${T0}.${TWCLID}`);
    const later = await site.request(`${SITE}/`, {
      headers: { cookie: `_twclid_kit=1.${T0}.${TWCLID}` },
    });
    expect(await later.text()).toBe(TWCLID);
    expect(later.headers.get('set-cookie')).toBeNull();
    const pixelOnly = await site.request(`${SITE}/`, {
      headers: {
        cookie: `_twclid=${encodeURIComponent(JSON.stringify({ twclid: 'abc123', timestamp: 1 }))}`,
      },
    });
    expect(await pixelOnly.text()).toBe('abc123');
  });

  it('landing middleware puts the configured cookie.domain on the click cookie (multi-subdomain sites)', async () => {
    const { kit } = setup({ cookie: { domain: 'example.com' } });
    const site = new Hono<TwclidEnv>();
    site.use('*', kit.landing());
    site.get('/', (c) => c.text('ok'));
    const landed = await site.request(`https://shop.example.com/?twclid=${TWCLID}`);
    expect(landed.headers.get('set-cookie')).toContain('Domain=example.com');
  });
});
