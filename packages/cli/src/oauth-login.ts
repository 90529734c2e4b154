/**
 * `twclid-kit oauth login`: the 3-legged OAuth 1.0a PIN flow [WC] [SIG], for
 * a user other than the app's owner (whose token the developer portal shows).
 *
 * 1. `POST <base>/oauth/request_token` with `oauth_callback=oob`, signed with
 *    the consumer key and secret only.
 * 2. The user opens `<base>/oauth/authorize?oauth_token=…`, approves the app
 *    and gets a PIN.
 * 3. `POST <base>/oauth/access_token` with `oauth_verifier=<PIN>`, signed with
 *    the consumer pair and the request token, returns the user's access token
 *    and secret.
 *
 * The secret is printed once, on stdout, as the env lines to set; it is never
 * written to stderr, a log or a file.
 */
import { createInterface } from 'node:readline/promises';
import { REQUEST_TIMEOUT_MS_DEFAULT, signedFetch } from '@twclid-kit/server/core';
import { CommandFailed, UsageError } from './exit-codes.ts';
import type { CliIo } from './io.ts';

/** Where X serves the OAuth endpoints (env `X_OAUTH_BASE_URL`). */
export const DEFAULT_OAUTH_BASE_URL = 'https://api.x.com';

export interface OAuthLoginFlags {
  oauthBaseUrl?: string;
  pin?: string;
  json?: boolean;
  timeoutMs?: number;
}

export interface OAuthLoginResult {
  accessToken: string;
  accessTokenSecret: string;
  userId: string | undefined;
  screenName: string | undefined;
}

function oauthBase(flags: OAuthLoginFlags, env: CliIo['env']): string {
  const raw = flags.oauthBaseUrl ?? (env.X_OAUTH_BASE_URL?.trim() || DEFAULT_OAUTH_BASE_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`X_OAUTH_BASE_URL: "${raw}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError('X_OAUTH_BASE_URL: must be an http(s) URL');
  }
  return url.href.replace(/\/+$/, '');
}

function required(env: CliIo['env'], name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new UsageError(
      `${name} is not set`,
      "the 3-legged flow needs the app's X_CONSUMER_KEY and X_CONSUMER_SECRET (developer portal → your app → Keys and tokens)",
    );
  }
  return value;
}

async function formResponse(response: Response, step: string): Promise<URLSearchParams> {
  const text = await response.text();
  if (!response.ok) {
    const reason = text.replace(/\s+/g, ' ').trim().slice(0, 200) || `HTTP ${response.status}`;
    throw new CommandFailed(
      `${step} failed (HTTP ${response.status}): ${reason}`,
      response.status === 401
        ? step === 'request token'
          ? 'check X_CONSUMER_KEY and X_CONSUMER_SECRET'
          : 'the PIN was wrong or expired: run `twclid-kit oauth login` again'
        : undefined,
    );
  }
  return new URLSearchParams(text);
}

async function readPin(io: CliIo): Promise<string> {
  const rl = createInterface({
    input: io.stdin,
    output: io.stderr as NodeJS.WritableStream,
    terminal: false,
  });
  try {
    io.stderr.write('PIN: ');
    const line = await new Promise<string | undefined>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(undefined));
    });
    if (line === undefined || line.trim() === '') {
      throw new UsageError(
        'no PIN was entered',
        'run again and type the PIN X shows, or pass --pin',
      );
    }
    return line.trim();
  } finally {
    rl.close();
  }
}

export async function runOAuthLogin(flags: OAuthLoginFlags, io: CliIo): Promise<OAuthLoginResult> {
  const base = oauthBase(flags, io.env);
  const consumer = {
    kind: 'oauth1' as const,
    consumerKey: required(io.env, 'X_CONSUMER_KEY'),
    consumerSecret: required(io.env, 'X_CONSUMER_SECRET'),
  };
  const common = {
    fetch: io.fetch,
    now: io.now,
    timeoutMs: flags.timeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT,
  };

  const requestToken = await formResponse(
    await signedFetch('POST', `${base}/oauth/request_token`, consumer, {
      ...common,
      oauthParams: { oauth_callback: 'oob' },
    }),
    'request token',
  );
  const token = requestToken.get('oauth_token');
  const tokenSecret = requestToken.get('oauth_token_secret');
  if (!token || !tokenSecret) {
    throw new CommandFailed('request token: X answered without oauth_token/oauth_token_secret');
  }

  const authorizeUrl = `${base}/oauth/authorize?oauth_token=${encodeURIComponent(token)}`;
  io.stderr.write(
    `Open this URL in a browser, sign in as the user who will send conversions, authorize the app, and enter the PIN shown:\n\n  ${authorizeUrl}\n\n`,
  );
  const pin = flags.pin?.trim() || (await readPin(io));

  const access = await formResponse(
    await signedFetch(
      'POST',
      `${base}/oauth/access_token`,
      { ...consumer, accessToken: token, accessTokenSecret: tokenSecret },
      { ...common, oauthParams: { oauth_verifier: pin } },
    ),
    'access token',
  );
  const accessToken = access.get('oauth_token');
  const accessTokenSecret = access.get('oauth_token_secret');
  if (!accessToken || !accessTokenSecret) {
    throw new CommandFailed('access token: X answered without oauth_token/oauth_token_secret');
  }
  return {
    accessToken,
    accessTokenSecret,
    userId: access.get('user_id') ?? undefined,
    screenName: access.get('screen_name') ?? undefined,
  };
}

export function printLogin(result: OAuthLoginResult, io: CliIo, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const who = result.screenName ? `@${result.screenName}` : 'the user';
  io.stdout.write(
    `# Access token of ${who}${result.userId ? ` (user ID ${result.userId})` : ''}.\n` +
      '# Shown once: put it in your secret store / .env, never in version control or logs.\n' +
      `X_ACCESS_TOKEN=${result.accessToken}\n` +
      `X_ACCESS_TOKEN_SECRET=${result.accessTokenSecret}\n`,
  );
}
