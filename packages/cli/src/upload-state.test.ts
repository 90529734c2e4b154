import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from './exit-codes.ts';
import { openRejects } from './rejects.ts';
import {
  assertSameInput,
  FINGERPRINT_BYTES,
  fingerprint,
  loadState,
  newState,
  saveState,
  statePathFor,
} from './upload-state.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'twclid-state-'));

describe('upload state', () => {
  it('round-trips through an atomic write and leaves no temporary file', () => {
    const d = dir();
    const input = join(d, 'in.csv');
    writeFileSync(input, 'a\n1\n');
    const state = newState(fingerprint(input), 0);
    state.watermark = 2;
    state.totals.sent = 1;
    saveState(statePathFor(input), state);
    expect(loadState(statePathFor(input))).toEqual(state);
    expect(readdirSync(d).sort()).toEqual(['in.csv', 'in.csv.twclid-state.json']);
  });

  it('is absent when there is no file, a usage error when damaged', () => {
    const d = dir();
    expect(loadState(join(d, 'none.json'))).toBeUndefined();
    writeFileSync(join(d, 'bad.json'), '{"version":1');
    expect(() => loadState(join(d, 'bad.json'))).toThrow(UsageError);
    writeFileSync(join(d, 'other.json'), '{"version":99}');
    expect(() => loadState(join(d, 'other.json'))).toThrow(/not an upload state file/);
  });

  it('accepts the same file with rows appended, refuses a changed or shorter one', () => {
    const d = dir();
    const input = join(d, 'in.csv');
    writeFileSync(input, 'email\na@b.c\n');
    const state = newState(fingerprint(input), 0);
    writeFileSync(input, 'email\na@b.c\nd@e.f\n');
    expect(() => assertSameInput(state, input)).not.toThrow();
    writeFileSync(input, 'email\nX@b.c\nd@e.f\n');
    expect(() => assertSameInput(state, input)).toThrow(UsageError);
    writeFileSync(input, 'email\n');
    expect(() => assertSameInput(state, input)).toThrow(/changed since/);
  });

  it('checks only the head of a big file (a change further on goes unnoticed)', () => {
    const d = dir();
    const input = join(d, 'big.csv');
    const head = `email\n${'a@b.c\n'.repeat(FINGERPRINT_BYTES / 6 + 10)}`;
    writeFileSync(input, head);
    const state = newState(fingerprint(input), 0);
    expect(state.input.headBytes).toBe(FINGERPRINT_BYTES);
    writeFileSync(input, `${head.slice(0, -6)}CHANGED\n`);
    expect(() => assertSameInput(state, input)).not.toThrow();
  });
});

describe('reject file', () => {
  it('is created on the first reject, with mode 600, and removed when empty', () => {
    const d = dir();
    const path = join(d, 'in.csv.rejects.csv');
    const empty = openRejects({ path, header: () => ['email'], keepBytes: 0 });
    empty.close();
    expect(existsSync(path)).toBe(false);

    const writer = openRejects({ path, header: () => ['email', 'note'], keepBytes: 0 });
    writer.add(3, 'email: is not an email address', ['x', 'with, comma']);
    const length = writer.sync();
    writer.add(4, 'later', ['y', '']);
    writer.close();
    expect(readFileSync(path, 'utf8')).toBe(
      'rejected_line,reject_reason,email,note\n3,email: is not an email address,x,"with, comma"\n4,later,y,\n',
    );

    // Resume: keep what the saved state knew, drop what came after.
    const resumed = openRejects({ path, header: () => ['email', 'note'], keepBytes: length });
    resumed.add(5, 'again', ['z', '']);
    resumed.close();
    expect(readFileSync(path, 'utf8')).toBe(
      'rejected_line,reject_reason,email,note\n3,email: is not an email address,x,"with, comma"\n5,again,z,\n',
    );
  });

  it('starts a new file on resume when the old one was moved away', () => {
    const path = join(dir(), 'in.csv.rejects.csv');
    const writer = openRejects({ path, header: () => ['email'], keepBytes: 500 });
    writer.add(7, 'reason', ['x']);
    writer.close();
    expect(readFileSync(path, 'utf8')).toBe('rejected_line,reject_reason,email\n7,reason,x\n');
  });

  it('holds a JSON line as one column', () => {
    const path = join(dir(), 'in.jsonl.rejects.csv');
    const writer = openRejects({ path, header: () => undefined, keepBytes: 0 });
    writer.add(1, 'row is not valid JSON', '{"email":');
    writer.close();
    expect(readFileSync(path, 'utf8')).toBe(
      'rejected_line,reject_reason,row\n1,row is not valid JSON,"{""email"":"\n',
    );
  });
});
