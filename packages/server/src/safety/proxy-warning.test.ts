import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { event, post, setup } from '../../test/kit-fixtures.ts';
import type { LogLevel } from '../x-types.ts';
import { createProxyHeaderCheck } from './proxy-warning.ts';

function harness(trusted: boolean) {
  const lines: { level: LogLevel; msg: string }[] = [];
  const note = createProxyHeaderCheck(trusted, { log: (level, msg) => lines.push({ level, msg }) });
  const app = new Hono();
  app.post('/', (c) => {
    note(c);
    return c.text('ok');
  });
  const post = (headers: Record<string, string> = {}) =>
    app.request('/', { method: 'POST', headers });
  return { lines, post };
}

describe('createProxyHeaderCheck', () => {
  it('warns once when X-Forwarded-For arrives and no proxy is trusted', async () => {
    const { lines, post } = harness(false);
    await post();
    expect(lines).toEqual([]);
    await post({ 'x-forwarded-for': '198.51.100.7' });
    await post({ 'x-forwarded-for': '198.51.100.8' });
    expect(lines).toEqual([{ level: 'warn', msg: 'proxy.header_ignored' }]);
  });

  it('stays quiet when the proxy is trusted', async () => {
    const { lines, post } = harness(true);
    await post({ 'x-forwarded-for': '198.51.100.7' });
    expect(lines).toEqual([]);
  });
});

describe('the kit warns about an untrusted proxy header', () => {
  const warnings = (logger: ReturnType<typeof setup>['logger']) =>
    logger.lines.filter((l) => l.message === 'proxy.header_ignored');

  it('once, on /events, when trustProxy is off', async () => {
    const { app, logger } = setup({ getIp: undefined });
    for (let i = 0; i < 3; i++) {
      await post(app, '/tw/events', event(), { 'x-forwarded-for': `198.51.100.${i}` });
    }
    expect(warnings(logger)).toHaveLength(1);
  });

  it('never when the proxy is trusted', async () => {
    const { app, logger } = setup({ getIp: undefined, trustProxy: 1 });
    await post(app, '/tw/events', event(), { 'x-forwarded-for': '198.51.100.1' });
    expect(warnings(logger)).toHaveLength(0);
  });
});
