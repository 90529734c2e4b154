/**
 * `twclid-kit send`: one conversion from flags. The flags become a
 * `ConversionInput` and go through the core's `buildConversion()`, so raw
 * email and phone are normalized and hashed exactly as the live route does.
 */
import { randomUUID } from 'node:crypto';
import type {
  CapiConversion,
  ConversionInput,
  SendOutcome,
  TwclidKitConfig,
} from '@twclid-kit/server';
import { buildConversion, createXClient, validateBatch } from '@twclid-kit/server';
import type { CountryCode, FieldSpec } from '@twclid-kit/server/core';
import {
  authHeaders,
  CONVERSION_FIELDS,
  conversionsUrl,
  describeOutcome,
  describeXError,
} from '@twclid-kit/server/core';
import { parseTime } from './columns.ts';
import { UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { describeAuth, maskHeaders } from './mask.ts';

export interface SendFlags {
  event: string;
  conversionId?: string;
  twclid?: string;
  email?: string;
  phone?: string;
  ip?: string;
  ua?: string;
  value?: string;
  currency?: string;
  numberItems?: string;
  description?: string;
  url?: string;
  time?: string;
}

/**
 * `send`'s flags from the contract's field table: the table's `flag`, else the
 * wire name with dashes (`--number-items`); the option key is commander's
 * camelCase of it. `contents`, and the page's `opt_out` and `conversion_sig`, have no flag.
 */
const SEND_FIELDS = Object.entries(CONVERSION_FIELDS as Record<string, FieldSpec>)
  .filter(
    ([wire, spec]) => spec.kind !== 'contents' && spec.kind !== 'flag' && wire !== 'conversion_sig',
  )
  .map(([wire, spec]) => {
    const flag = spec.flag ?? wire.replaceAll('_', '-');
    return {
      spec,
      flag: `--${flag}`,
      key: flag.replace(/-([a-z])/g, (_, letter: string) =>
        letter.toUpperCase(),
      ) as keyof SendFlags,
    };
  });

/** Core input field → the flag that sets it, so errors name what the user typed. */
const FLAG_OF: Record<string, string> = {
  ...Object.fromEntries(SEND_FIELDS.map(({ spec, flag }) => [spec.input, flag])),
  identifiers: '--twclid/--email/--phone',
};

export function flagsToInput(flags: SendFlags, conversionId: string): ConversionInput {
  const input: ConversionInput = { eventId: flags.event, conversionId };
  const fields = input as unknown as Record<string, unknown>;
  for (const { spec, flag, key } of SEND_FIELDS) {
    const raw = flags[key];
    if (raw === undefined || spec.input === 'eventId' || spec.input === 'conversionId') continue;
    if (spec.input === 'conversionTime') fields[spec.input] = parseTime(raw);
    else if (spec.kind === 'count') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a positive integer`);
      fields[spec.input] = n;
    } else fields[spec.input] = raw;
  }
  return input;
}

/** Validates the flags into the exact conversion object, or a usage error naming the flags. */
export function buildFromFlags(
  flags: SendFlags,
  config: TwclidKitConfig,
  options: { defaultCountry?: CountryCode; now: () => number },
): CapiConversion {
  const conversionId = flags.conversionId ?? randomUUID();
  const result = buildConversion(flagsToInput(flags, conversionId), {
    pixelId: config.pixelId,
    now: options.now,
    ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
  });
  if (!result.ok) {
    const lines = result.issues.map(
      (issue) =>
        `${FLAG_OF[issue.field.split(/[.[]/)[0] as string] ?? issue.field}: ${issue.message}`,
    );
    throw new UsageError(`the conversion is not valid:\n  ${lines.join('\n  ')}`);
  }
  const batchIssues = validateBatch([result.conversion], { pixelId: config.pixelId });
  if (batchIssues.length > 0) {
    throw new UsageError(
      `the conversion is not valid:\n  ${batchIssues.map((i) => `${i.field}: ${i.message}`).join('\n  ')}`,
    );
  }
  return result.conversion;
}

/** What `--dry-run` prints: the request as it would go out, credentials masked. */
export function describeRequest(
  config: TwclidKitConfig,
  conversion: CapiConversion,
  now: () => number,
) {
  const url = conversionsUrl(config.baseUrl, config.version, config.pixelId);
  const headers = maskHeaders({
    'content-type': 'application/json',
    accept: 'application/json',
    ...authHeaders(config.auth, 'POST', url, { now }),
  });
  return {
    method: 'POST',
    url,
    auth: describeAuth(config.auth),
    headers,
    body: { conversions: [conversion] },
  };
}

export interface SendResult {
  exitCode: 0 | 1;
}

export async function runSend(
  flags: SendFlags & { dryRun?: boolean; json?: boolean },
  config: TwclidKitConfig,
  options: { defaultCountry?: CountryCode; timeoutMs?: number },
  io: CliIo,
): Promise<SendResult> {
  const conversion = buildFromFlags(flags, config, {
    now: io.now,
    ...(options.defaultCountry ? { defaultCountry: options.defaultCountry } : {}),
  });
  if (flags.dryRun) {
    const request = describeRequest(config, conversion, io.now);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ dryRun: true, request }, null, 2)}\n`);
    } else {
      io.stdout.write(
        [
          'Dry run: nothing was sent. The request would be:',
          '',
          `${request.method} ${request.url}`,
          ...Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`),
          '',
          JSON.stringify(request.body, null, 2),
          '',
          `Auth: ${Object.entries(request.auth)
            .map(([k, v]) => (k === 'kind' ? v : `${k} ${v}`))
            .join(', ')}`,
          '',
        ].join('\n'),
      );
    }
    return { exitCode: 0 };
  }

  const client = createXClient({
    baseUrl: config.baseUrl,
    version: config.version,
    auth: config.auth,
    fetch: io.fetch,
    now: io.now,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const outcome = await client.send(config.pixelId, [conversion]);
  printOutcome(outcome, conversion, flags.json === true, io);
  return { exitCode: outcome.ok ? 0 : 1 };
}

function printOutcome(
  outcome: SendOutcome,
  conversion: CapiConversion,
  json: boolean,
  io: CliIo,
): void {
  const conversionId = conversion.conversion_id;
  if (json) {
    const body = outcome.ok
      ? { ok: true, status: outcome.status, debugId: outcome.debugId, conversionId }
      : {
          ok: false,
          kind: outcome.kind,
          status: outcome.status,
          conversionId,
          errors:
            'errors' in outcome
              ? outcome.errors
              : [{ code: outcome.kind, message: outcome.message }],
        };
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return;
  }
  if (outcome.ok) {
    io.stdout.write(
      `Sent: X processed ${outcome.conversionsProcessed} conversion (HTTP ${outcome.status}).\n` +
        `debug_id: ${outcome.debugId}\nconversion_id: ${conversionId}\n`,
    );
    return;
  }
  if (outcome.kind === 'network' || outcome.kind === 'timeout') {
    io.stderr.write(`Not sent: ${describeOutcome(outcome)}\n`);
    return;
  }
  io.stderr.write(`X refused the conversion (HTTP ${outcome.status}):\n`);
  for (const error of outcome.errors) io.stderr.write(`  ${describeXError(error)}\n`);
}
