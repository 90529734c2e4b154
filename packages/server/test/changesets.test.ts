/**
 * The pending changesets (`.changeset/*.md`) must stay readable by
 * `changeset version`: YAML front matter naming packages of this repository
 * with a bump type. A Markdown formatter that turns the front matter into a
 * heading would otherwise break the next release silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import parse from '@changesets/parse';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const dir = new URL('.changeset/', root);
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');
const packages = new Set(
  readdirSync(new URL('packages/', root)).map(
    (p) =>
      (
        JSON.parse(readFileSync(new URL(`packages/${p}/package.json`, root), 'utf8')) as {
          name: string;
        }
      ).name,
  ),
);

describe('changesets', () => {
  it.each(files)('%s names packages and bump types in its front matter', (file) => {
    const { releases, summary } = parse(readFileSync(new URL(file, dir), 'utf8'));
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      expect(packages).toContain(release.name);
      expect(['major', 'minor', 'patch']).toContain(release.type);
    }
    expect(summary.length).toBeGreaterThan(0);
  });
});
