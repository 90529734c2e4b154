import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.ts';
import { createEventAllowList } from './event-allow-list.ts';

describe('createEventAllowList', () => {
  const list = createEventAllowList('o8z6j', ['o87ne', 'tw-o8z6j-o87nf']);

  it('accepts listed events in short and tag form (X accepts both [REF12])', () => {
    expect(list.match('o87ne')).toBe('o87ne');
    expect(list.match('tw-o8z6j-o87ne')).toBe('o87ne');
    expect(list.match('o87nf')).toBe('o87nf');
  });

  it.each(['o87ng', 'tw-other-o87ne', '', 'O87NE!', '__proto__', 'constructor'])(
    'rejects %j',
    (raw) => {
      expect(list.match(raw)).toBeUndefined();
    },
  );

  it('fails at construction on bad configuration, naming `events`', () => {
    for (const events of [[], ['not an id'], ['tw-other-o87ne']]) {
      let caught: unknown;
      try {
        createEventAllowList('o8z6j', events);
      } catch (error) {
        caught = error;
      }
      expect(isConfigError(caught)).toBe(true);
      expect((caught as { variable: string }).variable).toBe('events');
    }
  });
});
