/**
 * `send`'s flags come from the contract's field table (`CONVERSION_FIELDS`):
 * each maps to its input field, and each is an option of the `send` command.
 */
import { PassThrough } from 'node:stream';
import { CONVERSION_FIELDS } from '@twclid-kit/server/core';
import { describe, expect, it } from 'vitest';
import type { CliIo } from './io.ts';
import { createProgram } from './program.ts';
import { flagsToInput } from './send.ts';

describe('send flags', () => {
  it('map to the input fields the table names', () => {
    const input = flagsToInput(
      {
        event: 'o87ne',
        time: '1700000000',
        twclid: 'abc',
        email: 'a@b.co',
        phone: '+14155552671',
        ip: '203.0.113.7',
        ua: 'UA',
        value: '20.00',
        currency: 'USD',
        numberItems: '2',
        description: 'd',
        url: 'https://shop.example/',
      },
      'c1',
    );
    expect(input).toEqual({
      eventId: 'o87ne',
      conversionId: 'c1',
      conversionTime: 1_700_000_000_000,
      twclid: 'abc',
      email: 'a@b.co',
      phone: '+14155552671',
      ip: '203.0.113.7',
      userAgent: 'UA',
      value: '20.00',
      currency: 'USD',
      numberItems: 2,
      description: 'd',
      eventSourceUrl: 'https://shop.example/',
    });
  });

  it('refuse a count that is not a number, naming the flag', () => {
    expect(() => flagsToInput({ event: 'o87ne', numberItems: 'two' }, 'c1')).toThrow(
      '--number-items must be a positive integer',
    );
  });

  it('are all options of the send command', () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough() } as unknown as CliIo;
    const send = createProgram(io, { code: 0 }).commands.find((c) => c.name() === 'send');
    const options = new Set(send?.options.map((o) => o.long));
    for (const [wire, spec] of Object.entries(CONVERSION_FIELDS)) {
      if (spec.kind === 'contents' || spec.kind === 'flag' || wire === 'conversion_sig') continue;
      const flag: string = 'flag' in spec ? spec.flag : wire.replaceAll('_', '-');
      expect(options.has(`--${flag}`), `--${flag}`).toBe(true);
    }
  });
});
