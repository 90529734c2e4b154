import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type ClientIpOptions, clientIp, rateLimitKey, runtimeAddress } from './client-ip.ts';

const hextet = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipv6 = fc.array(hextet, { minLength: 8, maxLength: 8 });

describe('rateLimitKey', () => {
  it('keeps IPv4 addresses apart and unwraps IPv4-mapped IPv6', () => {
    expect(rateLimitKey('198.51.100.1')).toBe('198.51.100.1');
    expect(rateLimitKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(rateLimitKey('198.51.100.2')).not.toBe(rateLimitKey('198.51.100.1'));
  });

  it('groups IPv6 by /56 by default, in any spelling', () => {
    expect(rateLimitKey('2001:db8::1')).toBe('2001:db8:0:0:0:0:0:0/56');
    expect(rateLimitKey('2001:0DB8:0000:00ff:ffff::1')).toBe('2001:db8:0:0:0:0:0:0/56');
    expect(rateLimitKey('2001:db8:0:1ff::1')).toBe('2001:db8:0:100:0:0:0:0/56');
    expect(rateLimitKey('::1')).toBe('0:0:0:0:0:0:0:0/56');
  });

  it('takes another prefix when asked', () => {
    expect(rateLimitKey('2001:db8:0:ff::1', 64)).toBe('2001:db8:0:ff:0:0:0:0/64');
    expect(rateLimitKey('2001:db8:0:ff::1', 48)).toBe('2001:db8:0:0:0:0:0:0/48');
    expect(rateLimitKey('2001:db8::1', 128)).toBe('2001:db8:0:0:0:0:0:1/128');
  });

  it('property: same /56 → same key; different /56 → different key', () => {
    const net56 = (groups: string[]) => [
      ...groups.slice(0, 3).map((h) => Number.parseInt(h, 16)),
      Number.parseInt(groups[3] as string, 16) >> 8,
    ];
    fc.assert(
      fc.property(ipv6, ipv6, (a, b) => {
        // b's low 72 bits under a's high 56 bits: the same subscriber.
        const fourth =
          (Number.parseInt(a[3] as string, 16) & 0xff00) |
          (Number.parseInt(b[3] as string, 16) & 0xff);
        const sameNet = [...a.slice(0, 3), fourth.toString(16), ...b.slice(4)];
        expect(rateLimitKey(a.join(':'))).toBe(rateLimitKey(sameNet.join(':')));
        const differs = net56(a).some((n, i) => n !== net56(b)[i]);
        if (differs) expect(rateLimitKey(a.join(':'))).not.toBe(rateLimitKey(b.join(':')));
      }),
    );
  });

  it('puts missing and garbage addresses under one key', () => {
    expect(rateLimitKey(undefined)).toBe('unknown');
    expect(rateLimitKey('not an ip')).toBe('unknown');
  });
});

const ipOf = async (options: ClientIpOptions, headers: Record<string, string>) => {
  const app = new Hono();
  app.get('/', (c) => c.text(clientIp(c, options) ?? 'none'));
  return (await app.request('/', { headers })).text();
};

describe('clientIp', () => {
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

describe('the address from the runtime', () => {
  // What each runtime passes to `app.fetch(request, env)`, the shapes Hono's
  // connection-info helpers read.
  const addressWith = async (
    env: unknown,
    runtime: string,
    headers: Record<string, string> = {},
  ) => {
    const app = new Hono();
    app.get('/', (c) => c.text(runtimeAddress(c, runtime) ?? 'none'));
    return (await app.request('/', { headers }, env as Record<string, unknown>)).text();
  };

  it('reads Node’s socket (@hono/node-server puts the request in env.incoming)', async () => {
    const env = { incoming: { socket: { remoteAddress: '198.51.100.4' } } };
    expect(await addressWith(env, 'node')).toBe('198.51.100.4');
  });

  it('reads Deno’s handler info (Deno.serve(app.fetch))', async () => {
    const env = { remoteAddr: { transport: 'tcp', hostname: '2001:db8::4', port: 51234 } };
    expect(await addressWith(env, 'deno')).toBe('2001:db8::4');
  });

  it('asks Bun’s server (Bun.serve passes itself, or { server } with bindings)', async () => {
    const seen: Request[] = [];
    const server = {
      requestIP: (request: Request) => {
        seen.push(request);
        return { address: '203.0.113.40', family: 'IPv4', port: 4000 };
      },
    };
    expect(await addressWith(server, 'bun')).toBe('203.0.113.40');
    expect(await addressWith({ server }, 'bun')).toBe('203.0.113.40');
    expect(seen[0]).toBeInstanceOf(Request);
    expect(await addressWith({ requestIP: () => null }, 'bun')).toBe('none');
  });

  it('trusts cf-connecting-ip on Workers only', async () => {
    const header = { 'cf-connecting-ip': '192.0.2.77' };
    expect(await addressWith({ DB: {} }, 'workerd', header)).toBe('192.0.2.77');
    expect(await addressWith({}, 'node', header)).toBe('none');
    expect(await addressWith(undefined, 'bun', header)).toBe('none');
  });

  it('takes Hono’s getConnInfo when given, after a trusted proxy', async () => {
    const getConnInfo = () => ({ remote: { address: '198.51.100.99' } });
    expect(await ipOf({ getConnInfo }, {})).toBe('198.51.100.99');
    expect(await ipOf({ getConnInfo, trustProxy: 1 }, { 'x-forwarded-for': '192.0.2.1' })).toBe(
      '192.0.2.1',
    );
  });
});
