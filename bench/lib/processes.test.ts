import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { killAllChildren, startTsChild } from './processes.ts';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/ready-child.ts');

describe('startTsChild', () => {
  it('resolves with the parsed ready line and stops the child', async () => {
    const child = await startTsChild<{ ready: true; port: number }>(fixture);
    expect(child.ready.port).toBe(1234);
    expect(child.alive()).toBe(true);
    expect(child.output()).toContain('starting');
    const exit = await child.stop('SIGTERM');
    expect(exit.signal).toBe('SIGTERM');
    expect(child.alive()).toBe(false);
  });

  it('rejects with the output when the child exits before it is ready', async () => {
    await expect(startTsChild(fixture, { args: ['--exit-early'] })).rejects.toThrow(
      /code 3[\s\S]*cannot start/,
    );
  });

  it('killAllChildren SIGKILLs every child still running', async () => {
    const a = await startTsChild(fixture);
    const b = await startTsChild(fixture);
    killAllChildren();
    expect((await a.exited).signal).toBe('SIGKILL');
    expect((await b.exited).signal).toBe('SIGKILL');
  });
});
