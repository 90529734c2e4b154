import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type RequestFacts, requestFacts } from './request-facts.ts';

function factsFor(
  url: string,
  headers: Record<string, string>,
  options: { proxied?: boolean; getIp?: () => string } = {},
): Promise<{ facts: RequestFacts; same: boolean; ipCalls: number }> {
  let ipCalls = 0;
  const factsOf = requestFacts({
    proxied: options.proxied ?? false,
    respectGpc: true,
    ipOptions: {
      trustProxy: options.proxied ?? false,
      getIp: () => {
        ipCalls++;
        return options.getIp?.() ?? '203.0.113.9';
      },
    },
  });
  const app = new Hono();
  let result: { facts: RequestFacts; same: boolean } | undefined;
  app.get('*', (c) => {
    const facts = factsOf(c);
    void facts.ip;
    void facts.ip;
    result = { facts, same: factsOf(c) === facts };
    return c.body(null, 204);
  });
  return Promise.resolve(app.request(url, { headers })).then(() => {
    if (!result) throw new Error('route not reached');
    return { ...result, ipCalls };
  });
}

describe('requestFacts', () => {
  it('computes each fact once per request and returns the same facts to every step', async () => {
    const { facts, same, ipCalls } = await factsFor('http://shop.example/', {});
    expect(same).toBe(true);
    expect(ipCalls).toBe(1);
    expect(facts.ip).toBe('203.0.113.9');
  });

  it('reads host, https, GPC and user agent from the request', async () => {
    const { facts } = await factsFor('https://shop.example/', {
      'sec-gpc': ' 1 ',
      'user-agent': 'Mozilla/5.0',
    });
    expect(facts).toMatchObject({ host: 'shop.example', https: true, gpc: true });
    expect(facts.userAgent).toBe('Mozilla/5.0');
  });

  it('trusts X-Forwarded-Proto and -Host only behind a proxy', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' };
    const direct = await factsFor('http://internal:3000/', headers);
    expect([direct.facts.https, direct.facts.host]).toEqual([false, 'internal:3000']);
    const proxied = await factsFor('http://internal:3000/', headers, { proxied: true });
    expect([proxied.facts.https, proxied.facts.host]).toEqual([true, 'shop.example']);
  });

  it('treats a blank user agent as none', async () => {
    const { facts } = await factsFor('http://shop.example/', { 'user-agent': '  ' });
    expect(facts.userAgent).toBeUndefined();
    expect(facts.gpc).toBe(false);
  });
});
