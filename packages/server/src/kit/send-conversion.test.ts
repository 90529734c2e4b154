import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { setup } from '../../test/kit-fixtures.ts';
import { ValidationError } from '../errors.ts';
import type { SendConversionInput } from './types.ts';

describe('kit.sendConversion from plain JavaScript', () => {
  // What an untyped caller can pass: each is a ValidationError naming the field.
  async function sendWith(input: unknown) {
    const { kit, store } = setup();
    const app = new Hono();
    let thrown: unknown;
    app.post('/pay', async (c) => {
      try {
        await kit.sendConversion(c, input as SendConversionInput);
      } catch (error) {
        thrown = error;
      }
      return c.text('ok');
    });
    await app.request('https://shop.example/pay', { method: 'POST' });
    return { thrown, stats: await store.stats(0) };
  }

  it.each([
    ['a missing eventId', { email: 'ann@example.com' }, 'eventId'],
    ['a numeric eventId', { eventId: 42, email: 'ann@example.com' }, 'eventId'],
    ['no input at all', undefined, 'input'],
    ['null', null, 'input'],
  ])('%s', async (_name, input, field) => {
    const { thrown, stats } = await sendWith(input);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues.map((i) => i.field)).toEqual([field]);
    expect(stats.pending).toBe(0);
  });
});
