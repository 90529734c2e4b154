// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { COMPILE_HINT, compileHints } from './compile-hints.ts';

const run = (bundle: Record<string, { type: string; code?: string }>) => {
  const context = {
    error: (message: string) => {
      throw new Error(message);
    },
  };
  const hook = compileHints('twclid.iife.js').generateBundle as unknown as (
    this: typeof context,
    options: unknown,
    bundle: unknown,
  ) => void;
  hook.call(context, {}, bundle);
  return bundle;
};

describe('compileHints', () => {
  it('puts V8’s allFunctionsCalledOnLoad hint first in the IIFE, once', () => {
    const chunk = { type: 'chunk', code: '(function(){})();' };
    run({ 'twclid.iife.js': chunk });
    // The magic comment's exact text: v8.dev/blog/explicit-compile-hints.
    expect(chunk.code).toBe('//# allFunctionsCalledOnLoad\n(function(){})();');
    run({ 'twclid.iife.js': chunk });
    expect(chunk.code.split(COMPILE_HINT)).toHaveLength(2);
  });

  it('fails the build when the chunk is missing', () => {
    expect(() => run({ 'other.js': { type: 'chunk', code: '' } })).toThrow(/twclid\.iife\.js/);
  });
});
