import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { fakeX } from '../test/fakes.ts';
import { type TwclidKitOptions, twclidKit } from './kit.ts';
import { memoryOutbox } from './outbox-memory.ts';
import { ifNoneMatchHits, SCRIPT_PATH, SCRIPT_VERSION } from './script-route.ts';

// The file the browser package builds; the route must serve exactly these bytes.
const IIFE = readFileSync(
  fileURLToPath(import.meta.resolve('@twclid-kit/browser/twclid.iife.js')),
  'utf8',
);

function mounted(overrides: Partial<TwclidKitOptions> = {}) {
  const kit = twclidKit({
    pixelId: 'o8z6j',
    events: ['o87ne'],
    store: memoryOutbox(),
    client: fakeX(),
    autoStart: false,
    ...overrides,
  });
  const app = new Hono();
  app.route('/tw', kit);
  return app;
}

describe('GET /twclid.js', () => {
  it('serves the browser package IIFE byte for byte, as JavaScript with a strong ETag', async () => {
    const res = await mounted().request(`/tw${SCRIPT_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(IIFE);
    const digest = createHash('sha256').update(IIFE).digest('base64url');
    expect(SCRIPT_VERSION).toBe(digest);
    expect(res.headers.get('etag')).toBe(`"${digest}"`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('is cached for a year, immutable, when asked for by its version', async () => {
    const res = await mounted().request(`/tw/twclid.js?v=${SCRIPT_VERSION}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // Another version (an old tag after a deploy) gets the short lifetime.
    const stale = await mounted().request('/tw/twclid.js?v=old');
    expect(stale.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('answers 304 with no body to a matching If-None-Match, 200 to another', async () => {
    const app = mounted();
    const etag = `"${SCRIPT_VERSION}"`;
    const hit = await app.request('/tw/twclid.js', { headers: { 'if-none-match': etag } });
    expect(hit.status).toBe(304);
    expect(await hit.text()).toBe('');
    expect(hit.headers.get('etag')).toBe(etag);
    const miss = await app.request('/tw/twclid.js', { headers: { 'if-none-match': '"other"' } });
    expect(miss.status).toBe(200);
  });

  it('answers HEAD without a body', async () => {
    const res = await mounted().request('/tw/twclid.js', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('is not served with script: false', async () => {
    const res = await mounted({ script: false }).request('/tw/twclid.js');
    expect(res.status).toBe(404);
  });
});

describe('ifNoneMatchHits (RFC 9110 §13.1.2, weak comparison)', () => {
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
    ['', false],
  ])('%j → %s', (header, hit) => {
    expect(ifNoneMatchHits(header, '"abc"')).toBe(hit);
  });

  it('misses when the header is absent', () => {
    expect(ifNoneMatchHits(undefined, '"abc"')).toBe(false);
  });
});
