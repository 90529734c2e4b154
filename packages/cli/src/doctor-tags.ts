/**
 * Doctor's tag checks: one line per web event tag of the events given with
 * --event or found in the outbox (see tags.ts). A tag problem is a warning,
 * never a failure: sending works without tag reads. With a pixel token only,
 * or without X_AD_ACCOUNT_ID, the check is skipped with what it would need.
 */
import type { TwclidKitConfig } from '@twclid-kit/server';
import { isAnalyticsError } from '@twclid-kit/server/analytics';
import type { DoctorCheck } from './doctor.ts';
import type { CliIo } from './io.ts';
import { accessHint, OAUTH_HOW, OAUTH_NEEDED } from './report-access.ts';
import { describeTag, runTags } from './tags.ts';

export async function tagChecks(
  config: TwclidKitConfig,
  options: { events?: readonly string[]; db?: string; timeoutMs: number },
  io: CliIo,
  add: (check: DoctorCheck) => void,
): Promise<void> {
  if (config.auth.kind !== 'oauth1') {
    add({ name: 'tags', status: 'skip', detail: OAUTH_NEEDED, hint: OAUTH_HOW });
    return;
  }
  if (config.adAccountId === undefined) {
    add({
      name: 'tags',
      status: 'skip',
      detail: 'X_AD_ACCOUNT_ID is not set (optional; needed to read web event tags)',
      hint: 'set X_AD_ACCOUNT_ID (or --account-id) to check the tags too',
    });
    return;
  }
  try {
    const result = await runTags(
      {
        config,
        ...(options.events ? { events: options.events } : {}),
        ...(options.db ? { db: options.db } : {}),
        timeoutMs: options.timeoutMs,
      },
      io,
    );
    for (const h of result.tags) {
      add({
        name: `tag ${h.id}`,
        status: h.flags.length > 0 ? 'warn' : 'ok',
        detail: describeTag(h),
        ...(h.flags.length > 0 ? { hint: h.flags.join('; ') } : {}),
      });
    }
  } catch (error) {
    if (!isAnalyticsError(error)) throw error;
    add({ name: 'tags', status: 'warn', detail: error.message, hint: accessHint(error) });
  }
}
