/**
 * How `twclid-kit upload` carries out the delivery engine's steps
 * (`deliverBatch` of the server): the upload has time, so it waits in process
 * (for the rate budget, a backoff, X's 429 reset) instead of rescheduling; rows
 * X refuses go to the reject file; a paused account or a spent retry budget
 * stops the upload, which `--resume` continues.
 */
import type {
  CapiConversion,
  RateBudget,
  RetryDecision,
  SendOutcome,
  XClient,
} from '@twclid-kit/server';
import type { AttemptState, DeliveryHooks } from '@twclid-kit/server/core';
import { deliverBatch, describeOutcome } from '@twclid-kit/server/core';
import { CommandFailed } from './exit-codes.ts';

/** A row that passed validation and waits for its batch. */
export interface Pending {
  line: number;
  conversion: CapiConversion;
  original: string[] | string;
}

/** A row X refused, with the reason for the reject file. */
export interface Refused {
  item: Pending;
  reason: string;
}

export interface UploadDelivery {
  pixelId: string;
  account: string;
  client: XClient;
  budget: RateBudget;
  decide(outcome: SendOutcome, state: AttemptState): RetryDecision;
  now(): number;
  sleep(ms: number): Promise<void>;
  signal?: AbortSignal | undefined;
  /** Shows what the upload waits for (`undefined`: nothing); `report` redraws the progress line. */
  status(text: string | undefined, report: boolean): void;
  /** A part X accepted. */
  sent(count: number, debugId: string): void;
}

const HINTS: Partial<Record<SendOutcome['kind'], string>> = {
  auth: 'check the credentials with `twclid-kit doctor`, then run the upload again with --resume',
  not_found:
    'check X_PIXEL_ID and the event IDs (`twclid-kit doctor`), then run the upload again with --resume',
};

function hooks(run: UploadDelivery, refused: Refused[]): DeliveryHooks<Pending> {
  return {
    interrupted: () => run.signal?.aborted === true,
    async admit(part) {
      const granted = await run.budget.take(run.account, part.length);
      if (granted === 0) {
        run.status('waiting for the rate budget', true);
        await run.sleep(Math.max(10, (await run.budget.nextFreeAt(run.account)) - run.now()));
        return 0;
      }
      run.status(undefined, false);
      return granted;
    },
    async delivered({ items, outcome }) {
      run.sent(items.length, outcome.ok ? outcome.debugId : '');
    },
    async rejected({ items, outcome }) {
      for (const item of items)
        refused.push({ item, reason: `X refused: ${describeOutcome(outcome)}` });
    },
    async later({ step, outcome }) {
      if (step.step === 'retry') {
        run.status(`retrying (${describeOutcome(outcome)})`, true);
        await run.sleep(step.delayMs);
      } else {
        run.status('paused by X (rate limit)', true);
        await run.sleep(Math.max(0, step.untilMs - run.now()));
      }
      return 'again';
    },
    halted: async () => 'stop',
  };
}

/**
 * Sends one batch of rows; returns the rows X refused. Throws `CommandFailed`
 * when the upload must stop (interrupted, credentials, retries spent): the
 * state file keeps what was settled, and `--resume` continues from there.
 */
export async function deliverRows(run: UploadDelivery, items: Pending[]): Promise<Refused[]> {
  const refused: Refused[] = [];
  const result = await deliverBatch(
    {
      client: run.client,
      budget: run.budget,
      decide: run.decide,
      now: run.now,
      pixelId: run.pixelId,
      account: run.account,
      conversionOf: (item) => item.conversion,
    },
    items,
    hooks(run, refused),
  );
  if (result.status === 'interrupted') {
    throw new CommandFailed('interrupted', 'run again with --resume');
  }
  if (result.status === 'stopped') {
    const { outcome, step } = result.answer;
    const reason = 'reason' in step ? step.reason : '';
    throw new CommandFailed(
      `X did not accept the batch: ${reason || describeOutcome(outcome)}`,
      HINTS[outcome.kind] ?? 'run the upload again with --resume once X answers',
    );
  }
  return refused;
}
