/**
 * Fault injection for the Ads API routes, deterministic under a seed: the same
 * seed and the same request order give the same sequence of faults.
 */
import { mulberry32 } from './prng.ts';

export interface FaultConfig {
  /** PRNG seed; changing it (or reset()) restarts the sequence. Default 1. */
  seed: number;
  /** Share of requests answered with a 5xx (0..1). Default 0. */
  serverErrorRate: number;
  /** Statuses a 5xx fault picks from. Default [500, 503]. */
  serverErrorStatuses: number[];
  /**
   * When true, injected 5xx answers carry an HTML body, as a proxy or load
   * balancer in front of X would send; docs/x-api.md §2 notes such non-JSON
   * errors. Default false.
   */
  serverErrorHtml: boolean;
  /** Share of requests answered 429 with Retry-After (0..1). Default 0. */
  rateLimitRate: number;
  /** Retry-After seconds on an injected 429. Default 1. */
  retryAfterSeconds: number;
  /** Share of requests that never get an answer (0..1). Default 0. */
  timeoutRate: number;
  /** How long a timed-out request hangs before its connection is dropped; 0 = until the client gives up or the emulator closes. Default 0. */
  hangMs: number;
  /** Share of requests whose connection is destroyed without an answer (0..1). Default 0. */
  dropRate: number;
  /**
   * When true, a dropped request is processed (its conversions count) before
   * the connection is destroyed: the real-world case of X having processed a
   * request whose answer never arrived. Default false (dropped before processing).
   */
  dropAfterProcessing: boolean;
  /** Share of requests delayed by `slowMs` before being handled (0..1). Default 0. */
  slowRate: number;
  /** Delay of a slow request in ms. Default 2000. */
  slowMs: number;
  /** Delay added to every Ads API request in ms. Default 0. */
  latencyMs: number;
}

export const FAULTS_NONE: FaultConfig = {
  seed: 1,
  serverErrorRate: 0,
  serverErrorStatuses: [500, 503],
  serverErrorHtml: false,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  hangMs: 0,
  dropRate: 0,
  dropAfterProcessing: false,
  slowRate: 0,
  slowMs: 2000,
  latencyMs: 0,
};

export type FaultKind = 'server_error' | 'rate_limited' | 'timeout' | 'dropped';

/** What the injector decided for one request. */
export interface FaultDecision {
  kind: FaultKind | null;
  /** The 5xx status when kind is server_error. */
  status?: number;
  /** Delay before handling, ms (latency + slow). */
  delayMs: number;
  /** Whether this request drew the `slowRate` delay. */
  slow: boolean;
}

/** Thrown for an invalid fault configuration; `field` names the offending key. */
export class FaultConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`faults.${field}: ${message}`);
    this.name = 'FaultConfigError';
    this.field = field;
  }
}

const RATES = ['serverErrorRate', 'rateLimitRate', 'timeoutRate', 'dropRate', 'slowRate'] as const;
const DURATIONS = ['retryAfterSeconds', 'hangMs', 'slowMs', 'latencyMs'] as const;

/** Merges a partial update into a config, validating every field; throws FaultConfigError. */
export function mergeFaults(base: FaultConfig, update: unknown): FaultConfig {
  if (update === undefined) return { ...base };
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new FaultConfigError('(root)', 'must be an object');
  }
  const next: FaultConfig = { ...base, serverErrorStatuses: [...base.serverErrorStatuses] };
  const known = new Set<string>(Object.keys(FAULTS_NONE));
  for (const [key, value] of Object.entries(update)) {
    if (!known.has(key)) throw new FaultConfigError(key, 'unknown fault option');
    if ((RATES as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new FaultConfigError(key, 'must be a number between 0 and 1');
      }
    } else if ((DURATIONS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new FaultConfigError(key, 'must be a non-negative number');
      }
    } else if (key === 'seed') {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new FaultConfigError(key, 'must be an integer');
      }
    } else if (key === 'dropAfterProcessing' || key === 'serverErrorHtml') {
      if (typeof value !== 'boolean') throw new FaultConfigError(key, 'must be a boolean');
    } else if (key === 'serverErrorStatuses') {
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        !value.every((s) => Number.isInteger(s) && s >= 500 && s <= 599)
      ) {
        throw new FaultConfigError(key, 'must be a non-empty array of 5xx statuses');
      }
    }
    (next as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : value;
  }
  const sum = next.serverErrorRate + next.rateLimitRate + next.timeoutRate + next.dropRate;
  if (sum > 1 + 1e-9) {
    throw new FaultConfigError(
      'serverErrorRate',
      `serverErrorRate + rateLimitRate + timeoutRate + dropRate must not exceed 1 (is ${sum})`,
    );
  }
  return next;
}

export interface FaultInjector {
  config(): FaultConfig;
  /** Applies a partial update; re-seeds when `seed` is part of it. */
  set(update: unknown): FaultConfig;
  /** Restarts the sequence from the configured seed. */
  reseed(): void;
  /** Decides the fault for the next request. Draws exactly three numbers each time. */
  next(): FaultDecision;
}

export function createFaultInjector(initial: unknown): FaultInjector {
  let config = mergeFaults(FAULTS_NONE, initial);
  let random = mulberry32(config.seed);
  return {
    config: () => ({ ...config, serverErrorStatuses: [...config.serverErrorStatuses] }),
    set(update) {
      config = mergeFaults(config, update);
      if (typeof update === 'object' && update !== null && 'seed' in update) {
        random = mulberry32(config.seed);
      }
      return this.config();
    },
    reseed() {
      random = mulberry32(config.seed);
    },
    next() {
      // Fixed number of draws per request keeps the sequence stable when rates change.
      const kindDraw = random();
      const statusDraw = random();
      const slowDraw = random();
      const bands: Array<[FaultKind, number]> = [
        ['server_error', config.serverErrorRate],
        ['rate_limited', config.rateLimitRate],
        ['timeout', config.timeoutRate],
        ['dropped', config.dropRate],
      ];
      let kind: FaultKind | null = null;
      let edge = 0;
      for (const [band, rate] of bands) {
        edge += rate;
        if (kindDraw < edge) {
          kind = band;
          break;
        }
      }
      const statuses = config.serverErrorStatuses;
      const status = statuses[Math.floor(statusDraw * statuses.length)] ?? 500;
      const slow = slowDraw < config.slowRate;
      const delayMs = config.latencyMs + (slow ? config.slowMs : 0);
      return kind === 'server_error' ? { kind, status, delayMs, slow } : { kind, delayMs, slow };
    },
  };
}
