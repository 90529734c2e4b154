/**
 * The README's runtime sections quote the files in examples/ that
 * `npm run test:runtimes` runs (consumer/runtimes-scenario.test.ts): each
 * block marked `<!-- example: examples/<file> -->` must equal its file, and
 * every example must be quoted, so the README shows exactly what was tested.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const examples = readdirSync(new URL('examples/', root)).sort();

/** The fenced block that follows each example marker, by file. */
function quoted(): Map<string, string> {
  const blocks = new Map<string, string>();
  const marker = /<!-- example: examples\/(\S+) -->\s*```[a-z]*\n([\s\S]*?)\n```/g;
  for (const [, file = '', body = ''] of readme.matchAll(marker)) blocks.set(file, body);
  return blocks;
}

describe('README runtime examples', () => {
  it('quotes every file in examples/', () => {
    expect([...quoted().keys()].sort()).toEqual(examples);
  });

  it.each(examples)('quotes examples/%s verbatim', (file) => {
    const text = readFileSync(new URL(`examples/${file}`, root), 'utf8').replace(/\n+$/, '');
    expect(quoted().get(file)).toBe(text);
  });
});
