// @vitest-environment node
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { sizeBudget } from './size-budget.ts';

const run = (budget: number, code: string, goal?: number) => {
  const errors: string[] = [];
  const context = {
    error: (message: string) => {
      errors.push(message);
      throw new Error(message);
    },
  };
  const bundle = { 'twclid.iife.js': { type: 'chunk', fileName: 'twclid.iife.js', code } };
  const hook = sizeBudget(budget, goal).generateBundle as unknown as (
    this: typeof context,
    options: unknown,
    bundle: unknown,
  ) => void;
  try {
    hook.call(context, {}, bundle);
  } catch {}
  return errors;
};

describe('sizeBudget', () => {
  it('prints raw, gzip and brotli sizes and passes under budget', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(run(3072, 'console.log(1)')).toEqual([]);
    expect(log.mock.calls[0]?.[0]).toMatch(
      /twclid\.iife\.js: 14 B raw, \d+ B gzip, \d+ B brotli \(budget 3072 B gzip\)/,
    );
    log.mockRestore();
  });

  it('fails the build over budget', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const random = Array.from({ length: 2000 }, () => Math.random().toString(36)).join('');
    expect(run(3072, random)[0]).toMatch(/^over the size budget: twclid\.iife\.js/);
    log.mockRestore();
  });

  it('reports the goal as met or missed without failing the build', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = 'console.log("twclid-kit");'.repeat(40);
    const gzip = gzipSync(code, { level: 9 }).length;
    expect(run(3072, code, gzip)).toEqual([]);
    expect(log.mock.calls[1]?.[0]).toBe(`twclid.iife.js: goal ${gzip} B gzip met (0 B to spare)`);
    expect(run(3072, code, gzip - 5)).toEqual([]);
    expect(log.mock.calls[3]?.[0]).toBe(`twclid.iife.js: goal ${gzip - 5} B gzip missed by 5 B`);
    log.mockRestore();
  });

  it('prints no goal line without a goal', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    run(3072, 'console.log(1)');
    expect(log).toHaveBeenCalledTimes(1);
    log.mockRestore();
  });
});
