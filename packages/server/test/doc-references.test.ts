/**
 * The documents the code cites live in this repository (docs/), and every
 * citation in a comment resolves: `docs/<file>.md` exists, `docs/<file>.md §N`
 * has a `§N` heading there, and a source tag such as `[REF12]` is defined in the
 * Sources section of docs/x-api.md. Guards against citing a file outside the
 * repository (the docs once lived in a shared folder a clone does not have).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** Where code that cites the docs lives; each is walked for .ts files. */
const SCANNED = [
  ...readdirSync(join(ROOT, 'packages')).flatMap((p) => [
    join('packages', p, 'src'),
    join('packages', p, 'test'),
  ]),
  'demo-site/src',
  'e2e',
];
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

const DOC_CITATION = /(?<![\w/.-])docs\/([\w.-]+\.md)(?:,?\s*§\s*(\d+))?/g;
const OUTSIDE_REPO = /(?<![\w.-])(?:\/work\/)?shared\/docs\/[\w.-]+\.md/g;
const SOURCE_TAG = /\[([A-Z][A-Z0-9]{1,6})\]/g;
const SECTION_HEADING = /^#{1,6}\s+§(\d+)\b/gm;

interface SourceFile {
  path: string;
  text: string;
}

/**
 * The text of every comment in a TypeScript source, skipping strings, template
 * literals and regular expression literals (so code such as `obj[key]` and a
 * `//` inside a string are not mistaken for comments).
 */
function commentsOf(source: string): string[] {
  const out: string[] = [];
  // Template literals nest through `${ ... }`: remember the brace depth of each.
  const templates: number[] = [];
  let braces = 0;
  let prev = ''; // last significant character outside comments, for the regex-or-division call
  let i = 0;
  const skipString = (quote: string) => {
    for (i++; i < source.length && source[i] !== quote; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '\n') break;
    }
    i++;
  };
  const skipTemplate = () => {
    for (; i < source.length; i++) {
      if (source[i] === '\\') i++;
      else if (source[i] === '`') {
        i++;
        return;
      } else if (source[i] === '$' && source[i + 1] === '{') {
        templates.push(braces);
        i += 2;
        return;
      }
    }
  };
  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      out.push(source.slice(i + 2, end === -1 ? undefined : end));
      i = end === -1 ? source.length : end;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      out.push(source.slice(i + 2, end === -1 ? undefined : end));
      i = end === -1 ? source.length : end + 2;
    } else if (ch === '"' || ch === "'") {
      skipString(ch);
      prev = ch;
    } else if (ch === '`') {
      i++;
      skipTemplate();
      prev = '`';
    } else if (ch === '/' && (prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev))) {
      // A regular expression literal: runs to the next unescaped `/` outside a class.
      let inClass = false;
      for (i++; i < source.length && source[i] !== '\n'; i++) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        else if (source[i] === '/' && !inClass) break;
      }
      i++;
      prev = '/';
    } else if (ch === '}' && templates.length > 0 && templates.at(-1) === braces) {
      templates.pop();
      i++;
      skipTemplate();
      prev = '`';
    } else {
      if (ch === '{') braces++;
      else if (ch === '}') braces--;
      if (!/\s/.test(ch)) prev = /[\w$]/.test(ch) ? 'a' : ch;
      i++;
    }
  }
  return out;
}

/** The tags defined in the `## Sources` section of docs/x-api.md. */
function definedSources(xApi: string): Set<string> {
  const start = xApi.search(/^## Sources\b/m);
  if (start === -1) return new Set();
  const rest = xApi.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return new Set([...section.matchAll(SOURCE_TAG)].map((m) => m[1] as string));
}

/**
 * Every citation in the comments of `files` that does not resolve against
 * `docs` (file name → text), as `path: problem`.
 */
function unresolvedCitations(files: SourceFile[], docs: Map<string, string>): string[] {
  const sources = definedSources(docs.get('x-api.md') ?? '');
  const sections = new Map(
    [...docs].map(([name, text]) => [
      name,
      new Set([...text.matchAll(SECTION_HEADING)].map((m) => m[1])),
    ]),
  );
  const problems: string[] = [];
  for (const file of files) {
    for (const comment of commentsOf(file.text)) {
      for (const [, name, section] of comment.matchAll(DOC_CITATION)) {
        const headings = sections.get(name as string);
        if (!headings) problems.push(`${file.path}: cites docs/${name}, which does not exist`);
        else if (section !== undefined && !headings.has(section)) {
          problems.push(`${file.path}: cites docs/${name} §${section}, which has no such heading`);
        }
      }
      for (const [path] of comment.matchAll(OUTSIDE_REPO)) {
        problems.push(`${file.path}: cites ${path}, outside the repository; write docs/…`);
      }
      for (const [, name] of comment.matchAll(/(?<![\w/.-])(x-api|product)\.md/g)) {
        problems.push(`${file.path}: cites ${name}.md; write docs/${name}.md`);
      }
      for (const [, tag] of comment.matchAll(SOURCE_TAG)) {
        if (!sources.has(tag as string)) {
          problems.push(
            `${file.path}: cites [${tag}], which docs/x-api.md "Sources" does not define`,
          );
        }
      }
    }
  }
  return problems;
}

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) {
      return SKIPPED_DIRS.has(entry.name) ? [] : tsFiles(join(dir, entry.name));
    }
    return entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [];
  });
}

function repoDocs(): Map<string, string> {
  const dir = join(ROOT, 'docs');
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.md'))
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

describe('doc references in code comments', () => {
  it('resolve to docs/ in this repository, its § headings and its Sources', () => {
    const files = SCANNED.flatMap(tsFiles).map((path) => ({
      path: relative(ROOT, join(ROOT, path)),
      text: readFileSync(join(ROOT, path), 'utf8'),
    }));
    expect(files.length).toBeGreaterThan(100);
    expect(unresolvedCitations(files, repoDocs())).toEqual([]);
  });

  it('finds comments, not code or strings', () => {
    const source = [
      'const url = "http://x/[NOPE]"; // a [WC] comment',
      `const re = /\\/\\/ [NOPE]/g; obj[BRAND] = \`x \${a /* [REF12] */} // [NOPE]\`;`,
      "/** block [RL] */ const s = '/* [NOPE] */';",
    ].join('\n');
    const tags = commentsOf(source).flatMap((c) => [...c.matchAll(SOURCE_TAG)].map((m) => m[1]));
    expect(tags).toEqual(['WC', 'REF12', 'RL']);
  });

  // The check must be able to fail: each kind of bad citation is reported.
  it.each([
    ['// see docs/nowhere.md', 'cites docs/nowhere.md, which does not exist'],
    ['// see docs/x-api.md §42', 'cites docs/x-api.md §42, which has no such heading'],
    ['/** a rule [NOSUCH] */', 'cites [NOSUCH], which docs/x-api.md "Sources" does not define'],
    ['// as in x-api.md §1', 'cites x-api.md; write docs/x-api.md'],
    [
      '// (as in ../../../shared/docs/x-api.md §3)',
      'cites shared/docs/x-api.md, outside the repository; write docs/…',
    ],
  ])('reports %s', (comment, problem) => {
    const docs = new Map([
      ['x-api.md', '# X\n## §1 The endpoint\n## Sources\n| [WC] | page | https://x |\n'],
      ['product.md', '# P\n'],
    ]);
    expect(unresolvedCitations([{ path: 'a.ts', text: comment }], docs)).toEqual([
      `a.ts: ${problem}`,
    ]);
    expect(unresolvedCitations([{ path: 'a.ts', text: '// docs/x-api.md §1 [WC]' }], docs)).toEqual(
      [],
    );
  });
});
