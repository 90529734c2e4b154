// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { sizeBudget } from './size-budget.ts';

const run = (budget: number, code: string) => {
  const errors: string[] = [];
  const context = {
    error: (message: string) => {
      errors.push(message);
      throw new Error(message);
    },
  };
  const bundle = { 'twclid.iife.js': { type: 'chunk', fileName: 'twclid.iife.js', code } };
  const hook = sizeBudget(budget).generateBundle as unknown as (
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
});
