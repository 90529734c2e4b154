import { describe, expect, it } from 'vitest';
import { isConfigError, isStoreUnavailableError, StoreUnavailableError } from '../errors.ts';
import { durableObjectOutbox } from './client.ts';
import type { BudgetKey } from './rpc.ts';
import { fromRpcError, toRpcError } from './rpc-errors.ts';

/** A namespace whose objects record the calls made on them (RPC's stand-in). */
function fakeNamespace(answer: (method: string, args: unknown[]) => unknown = () => 0) {
  const calls: { object: string; method: string; args: unknown[] }[] = [];
  const ids: string[] = [];
  const namespace = {
    idFromName(name: string) {
      ids.push(name);
      return { name };
    },
    get(id: { name: string }) {
      return new Proxy(
        {},
        {
          get:
            (_, method: string) =>
            async (...args: unknown[]) => {
              calls.push({ object: id.name, method, args });
              return answer(method, args);
            },
        },
      );
    },
  };
  return { namespace, calls, ids };
}

describe('durableObjectOutbox', () => {
  it("forwards each call to the object named 'outbox' (or name), taking its ID once", async () => {
    const { namespace, calls, ids } = fakeNamespace((method) => (method === 'stats' ? {} : 7));
    const store = durableObjectOutbox(namespace);
    await store.recoverInFlight(5);
    await store.requeueDead({ now: 6, ids: [1] });
    expect(calls).toEqual([
      { object: 'outbox', method: 'recoverInFlight', args: [5] },
      { object: 'outbox', method: 'requeueDead', args: [{ now: 6, ids: [1] }] },
    ]);
    expect(ids).toEqual(['outbox']);
    await durableObjectOutbox(namespace, { name: 'shop-2' }).stats(1);
    expect(calls.at(-1)).toEqual({ object: 'shop-2', method: 'stats', args: [1] });
  });

  it("sends each budget call with the caller's key and the caller's clock", async () => {
    const { namespace, calls } = fakeNamespace(() => 3);
    let now = 1000;
    const budget = durableObjectOutbox(namespace).rateBudget({
      limit: 10,
      windowMs: 60_000,
      now: () => now,
    });
    expect(budget.limits).toEqual({ limit: 10, windowMs: 60_000 });
    expect(await budget.take('acc1', 5)).toBe(3);
    now = 2000;
    await budget.update('acc1', { remaining: 0, resetAt: 9000 });
    const [take, update] = calls as unknown as {
      method: string;
      args: [BudgetKey, ...unknown[]];
    }[];
    expect(take?.method).toBe('budgetTake');
    expect(take?.args.slice(1)).toEqual(['acc1', 5, 1000]);
    expect(update?.args.slice(1)).toEqual(['acc1', { remaining: 0, resetAt: 9000 }, 2000]);
    expect(take?.args[0]).toMatchObject({ limit: 10, windowMs: 60_000 });
    expect(update?.args[0]).toEqual(take?.args[0]);
    // Another budget handle is another caller.
    await durableObjectOutbox(namespace)
      .rateBudget({ now: () => now })
      .take('acc1', 1);
    const other = calls.at(-1)?.args[0] as BudgetKey | undefined;
    expect(other?.caller).toBeTypeOf('string');
    expect(other?.caller).not.toBe(take?.args[0].caller);
    expect(() => durableObjectOutbox(namespace).rateBudget({ limit: 0 })).toThrow(RangeError);
  });

  it('names the option when the binding or the name is wrong', () => {
    for (const bad of [undefined, null, {}, { idFromName: () => 1 }]) {
      let caught: unknown;
      try {
        durableObjectOutbox(bad as never);
      } catch (error) {
        caught = error;
      }
      expect(isConfigError(caught) && (caught as { variable: string }).variable).toBe('namespace');
    }
    const { namespace } = fakeNamespace();
    expect(() => durableObjectOutbox(namespace, { name: '' })).toThrow(/^name: /);
  });

  it("turns the object's unavailable storage and the platform's retryable errors into StoreUnavailableError", async () => {
    const thrown = toRpcError(
      new StoreUnavailableError('The outbox is unavailable (SQLITE_FULL)', { retryAfterS: 30 }),
    );
    // Over RPC only the message arrives.
    const { namespace } = fakeNamespace(() => {
      throw new Error((thrown as Error).message);
    });
    const error = await durableObjectOutbox(namespace)
      .nextDueAt()
      .catch((e: unknown) => e);
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({
      retryAfterS: 30,
      message: 'The outbox is unavailable (SQLITE_FULL)',
    });

    const reset = Object.assign(new Error('Durable Object reset'), { retryable: true });
    expect(isStoreUnavailableError(fromRpcError(reset))).toBe(true);
    const bug = new TypeError('x is not a function');
    expect(fromRpcError(bug)).toBe(bug);
    expect(toRpcError(bug)).toBe(bug);
  });
});
