import { describe, expect, it } from 'vitest';
import { consoleLogger } from './logger.ts';
import type { LogLevel } from './x-types.ts';

describe('consoleLogger', () => {
  it('writes JSON lines at or above the level (default info)', () => {
    const lines: [string, LogLevel][] = [];
    const logger = consoleLogger({
      now: () => 0,
      write: (line, level) => lines.push([line, level]),
    });
    logger.log('debug', 'hidden');
    logger.log('info', 'x.send', { events: 3, status: 200, debugId: 'd1' });
    logger.log('error', 'x.auth');
    expect(lines).toEqual([
      [
        '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"x.send","events":3,"status":200,"debugId":"d1"}',
        'info',
      ],
      ['{"time":"1970-01-01T00:00:00.000Z","level":"error","msg":"x.auth"}', 'error'],
    ]);
  });

  it('survives fields that cannot be serialized', () => {
    const lines: string[] = [];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    consoleLogger({ level: 'debug', now: () => 0, write: (line) => lines.push(line) }).log(
      'debug',
      'm',
      cyclic,
    );
    expect(JSON.parse(lines[0] as string)).toMatchObject({ msg: 'm' });
  });
});
