import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { cutJsCookieCore } from './js-cookie-core.ts';

// The installed js-cookie's ESM build, the file the plugin rewrites.
const source = readFileSync(
  createRequire(import.meta.url)
    .resolve('js-cookie')
    .replace(/js\.cookie\.js$/, 'js.cookie.mjs'),
  'utf8',
);

/** Evaluates an ESM build of js-cookie and returns its default export. */
const load = (code: string) =>
  new Function(code.replace(/export \{ api as default \};?/, 'return api;'))() as Record<
    string,
    (...args: unknown[]) => unknown
  >;

describe('jsCookieCore', () => {
  it('leaves set, get and remove, and drops withAttributes, withConverter and the frozen defaults', () => {
    const full = load(source);
    expect(typeof full.withConverter).toBe('function');
    const core = load(cutJsCookieCore(source));
    expect(Object.keys(core)).toEqual(['set', 'get', 'remove']);
    expect(cutJsCookieCore(source)).not.toMatch(/withAttributes|withConverter|Object\.freeze/);
  });

  it('keeps js-cookie working: encoded values, default path, removal', () => {
    const core = load(cutJsCookieCore(source));
    core.set?.('kit_probe', 'a b;c', { sameSite: 'Lax' });
    expect(core.get?.('kit_probe')).toBe('a b;c');
    expect(core.set?.('kit_probe', 'x')).toMatch(/^kit_probe=x; path=\/$/);
    core.remove?.('kit_probe');
    expect(core.get?.('kit_probe')).toBeUndefined();
  });

  it('reads document.cookie once per get, and drops the document guards the script does not need', () => {
    const core = load(cutJsCookieCore(source));
    core.set?.('kit_probe', 'x');
    // The prototype that holds the accessor (happy-dom's own document class, not the global Document).
    let owner = Object.getPrototypeOf(document);
    while (!Object.getOwnPropertyDescriptor(owner, 'cookie')) owner = Object.getPrototypeOf(owner);
    const read = vi.spyOn(owner as Document, 'cookie', 'get');
    expect(core.get?.()).toMatchObject({ kit_probe: 'x' });
    expect(core.get?.('kit_probe')).toBe('x');
    expect(read).toHaveBeenCalledTimes(2);
    read.mockRestore();
    core.remove?.('kit_probe');
    expect(cutJsCookieCore(source)).not.toMatch(/typeof document/);
  });

  it('writes the lifetime as Max-Age, never formatting a date, and removes with a negative age', () => {
    const core = load(cutJsCookieCore(source));
    const toUTCString = vi.spyOn(Date.prototype, 'toUTCString');
    const written = core.set?.('kit_probe', 'x', { expires: new Date(Date.now() + 90 * 864e5) });
    expect(written).toMatch(/^kit_probe=x; path=\/; max-age=(7775999|7776000)$/);
    expect(core.get?.('kit_probe')).toBe('x');
    core.remove?.('kit_probe');
    expect(core.get?.('kit_probe')).toBeUndefined();
    expect(toUTCString).not.toHaveBeenCalled();
    toUTCString.mockRestore();
  });

  it('fails the build when js-cookie no longer has the text it cuts', () => {
    expect(() => cutJsCookieCore(source.replace('withConverter', 'withCodec'))).toThrow(
      /js-cookie's source no longer matches/,
    );
  });
});
