import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type ClientIpOptions, clientIp, rateLimitKey } from './client-ip.ts';

const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.array(hextet, { minLength: 8, maxLength: 8 });

describe('rateLimitKey', () => {
  it('keeps IPv4 addresses apart and unwraps IPv4-mapped IPv6', () => {
    expect(rateLimitKey('198.51.100.1')).toBe('198.51.100.1');
    expect(rateLimitKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(rateLimitKey('198.51.100.2')).not.toBe(rateLimitKey('198.51.100.1'));
  });

  it('groups IPv6 by /64, in any spelling', () => {
    expect(rateLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitKey('2001:0DB8:0000:0000:ffff::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitKey('::1')).toBe('0:0:0:0::/64');
  });

  it('property: same /64 → same key; different /64 → different key', () => {
    fc.assert(
      fc.property(ipv6, ipv6, (a, b) => {
        const sameNet = [...a.slice(0, 4), ...b.slice(4)];
        expect(rateLimitKey(a.join(':'))).toBe(rateLimitKey(sameNet.join(':')));
        const differs = a
          .slice(0, 4)
          .some((h, i) => Number.parseInt(h, 16) !== Number.parseInt(b[i] as string, 16));
        if (differs) expect(rateLimitKey(a.join(':'))).not.toBe(rateLimitKey(b.join(':')));
      }),
    );
  });

  it('puts missing and garbage addresses under one key', () => {
    expect(rateLimitKey(undefined)).toBe('unknown');
    expect(rateLimitKey('not an ip')).toBe('unknown');
  });
});

describe('clientIp', () => {
  const ipOf = async (options: ClientIpOptions, headers: Record<string, string>) => {
    const app = new Hono();
    app.get('/', (c) => c.text(clientIp(c, options) ?? 'none'));
    return (await app.request('/', { headers })).text();
  };

  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    expect(await ipOf({}, { 'x-forwarded-for': '198.51.100.1' })).toBe('none');
    expect(await ipOf({ trustProxy: false }, { 'x-forwarded-for': '198.51.100.1' })).toBe('none');
  });

  it('takes the entry added by the trusted proxies, not a client-forged first entry', async () => {
    const xff = { 'x-forwarded-for': '6.6.6.6, 198.51.100.1, 10.0.0.2' };
    expect(await ipOf({ trustProxy: true }, xff)).toBe('10.0.0.2');
    expect(await ipOf({ trustProxy: 2 }, xff)).toBe('198.51.100.1');
    expect(await ipOf({ trustProxy: 9 }, xff)).toBe('6.6.6.6');
  });

  it('lets a custom resolver win', async () => {
    expect(
      await ipOf(
        { trustProxy: true, getIp: (c) => c.req.header('cf-connecting-ip') },
        { 'cf-connecting-ip': '192.0.2.9', 'x-forwarded-for': '1.1.1.1' },
      ),
    ).toBe('192.0.2.9');
  });
});
