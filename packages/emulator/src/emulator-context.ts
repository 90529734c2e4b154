/**
 * The state the emulator's routes share: resolved configuration, X's clock,
 * the fault injector, the ledger, OAuth nonces, rate budgets and tokens. Built
 * once per emulator by `createEmulator`; each route module mounts on it.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { attributedConversions } from './analytics/attribution.ts';
import { createJobStore, type JobStore } from './analytics/jobs.ts';
import { buildStats } from './analytics/stats-body.ts';
import { createClock, type EmulatorClock } from './clock.ts';
import type { ResolvedConfig, TokenOption } from './config.ts';
import { createFaultInjector, type FaultInjector } from './faults.ts';
import { createLedger, type Ledger } from './ledger.ts';
import { createNonceCache, type NonceCache } from './nonce-cache.ts';
import { type OAuthSecrets, type OAuthVerifyResult, verifyOAuthRequest } from './oauth1-verify.ts';
import { createRollingBudget, type RollingBudget } from './rolling-budget.ts';

export type Env = { Bindings: Partial<HttpBindings> };

export interface IssuedToken {
  token: string;
  secret: string;
  userId: string;
}

export interface EmulatorContext {
  config: ResolvedConfig;
  clock: EmulatorClock;
  faults: FaultInjector;
  ledger: Ledger;
  nonces: NonceCache;
  /** Events per ad account per window (`x-account-rate-limit-*`). */
  accountBudget: RollingBudget;
  /** Requests per user and endpoint per window (`x-rate-limit-*`). */
  requestBudget: RollingBudget;
  /** Synchronous stats requests per user per window (docs/x-api.md §9: 250 per 15 minutes). */
  statsBudget: RollingBudget;
  /** Asynchronous stats jobs. */
  jobs: JobStore;
  /** Access tokens: configured ones plus those the 3-legged flow issued. */
  tokens: Map<string, TokenOption>;
  issued: IssuedToken[];
  /** Resolvers of requests hung by a timeout fault. */
  hung: Set<() => void>;
  /** The underlying clock in Unix seconds (OAuth timestamps). */
  wallSeconds(): number;
  /** X's time in ms → Unix seconds on the client's clock (rate-limit resets). */
  toEpochSec(xMs: number): number;
  /** Secrets of consumers and access tokens. */
  accessSecrets: OAuthSecrets;
  /** Verifies the request's OAuth 1.0a signature; also returns a form body when there was one. */
  verifyOAuth(
    c: Context<Env>,
    secrets: OAuthSecrets,
    requireToken: boolean,
  ): Promise<{ result: OAuthVerifyResult; formBody: string | undefined }>;
}

export function createEmulatorContext(config: ResolvedConfig): EmulatorContext {
  const clock = createClock(config.now);
  const nonces = createNonceCache(config.oauthMaxSkewSeconds);
  const tokens = new Map(config.tokens);
  const wallSeconds = () => Math.floor(clock.wallNow() / 1000);
  const useNonce = (ck: string, tk: string, nonce: string, ts: number) =>
    nonces.use(ck, tk, nonce, ts, wallSeconds());
  const ctx: EmulatorContext = {
    config,
    clock,
    faults: createFaultInjector(config.faults),
    ledger: createLedger(config),
    nonces,
    accountBudget: createRollingBudget(config.eventsPerWindow, config.rateWindowMs),
    requestBudget: createRollingBudget(config.requestsPerWindow, config.rateWindowMs),
    statsBudget: createRollingBudget(config.analytics.statsRequestsPerWindow, config.rateWindowMs),
    jobs: createJobStore(config.analytics, (job) =>
      buildStats(
        job.query,
        attributedConversions(ctx, job.accountId),
        config.accountsById.get(job.accountId)?.timezone ?? config.analytics.timezone,
        job.params,
      ),
    ),
    tokens,
    issued: [],
    hung: new Set(),
    wallSeconds,
    // Reset times are X's time; expressed on the client's clock so a client on a real clock waits the right amount.
    toEpochSec: (xMs) => Math.ceil((xMs - clock.offset()) / 1000),
    accessSecrets: {
      consumerSecret: (key) => config.consumers.get(key),
      tokenSecret: (token) => tokens.get(token)?.secret,
    },
    async verifyOAuth(c, secrets, requireToken) {
      const contentType = c.req.header('content-type') ?? '';
      const formBody = contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')
        ? await c.req.text()
        : undefined;
      const result = verifyOAuthRequest(
        {
          method: c.req.method,
          url: new URL(c.req.url),
          authorization: c.req.header('authorization'),
          ...(formBody !== undefined ? { formBody } : {}),
        },
        secrets,
        {
          nowSeconds: wallSeconds(),
          maxSkewSeconds: config.oauthMaxSkewSeconds,
          requireToken,
          useNonce,
        },
      );
      return { result, formBody };
    },
  };
  return ctx;
}
