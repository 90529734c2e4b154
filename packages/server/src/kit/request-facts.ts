/**
 * Facts about one request that several steps need (client IP, host, https,
 * GPC, user agent), each computed at most once per request and only when a
 * step asks for it: the IP that the rate limit counted is the IP stored with
 * the conversion, and the same-origin fast path parses no URL it does not need.
 */
import type { Context } from 'hono';
import { type ClientIpOptions, clientIp } from '../safety/client-ip.ts';
import { requestHost } from '../safety/origin.ts';

export interface RequestFacts {
  /** The visitor's IP (`X-Forwarded-For` only behind a trusted proxy, or `getIp`). */
  readonly ip: string | undefined;
  /** The host (with port) the visitor asked for. */
  readonly host: string;
  /** Whether the visitor's request was https (`X-Forwarded-Proto` behind a trusted proxy). */
  readonly https: boolean;
  /** `Sec-GPC: 1` was sent and the kit honours it (`respectGpc`). */
  readonly gpc: boolean;
  /** The `User-Agent`, when not blank. */
  readonly userAgent: string | undefined;
}

export interface RequestFactsOptions {
  ipOptions: ClientIpOptions;
  /** Whether `X-Forwarded-*` headers are trusted. */
  proxied: boolean;
  respectGpc: boolean;
}

/** Returns the facts of a request; the same object for every call on one request. */
export type FactsOf = (c: Context) => RequestFacts;

/** Lazily computed, memoized facts of one request. */
class LazyFacts implements RequestFacts {
  #ip?: { value: string | undefined };
  #host?: string;
  #https?: boolean;
  #gpc?: boolean;
  readonly #c: Context;
  readonly #options: RequestFactsOptions;

  constructor(c: Context, options: RequestFactsOptions) {
    this.#c = c;
    this.#options = options;
  }

  get ip(): string | undefined {
    this.#ip ??= { value: clientIp(this.#c, this.#options.ipOptions) };
    return this.#ip.value;
  }

  get host(): string {
    this.#host ??= requestHost(this.#c, this.#options.proxied);
    return this.#host;
  }

  get https(): boolean {
    if (this.#https === undefined) {
      const proto = this.#options.proxied
        ? this.#c.req.header('x-forwarded-proto')?.split(',')[0]?.trim()
        : undefined;
      this.#https = proto ? proto === 'https' : new URL(this.#c.req.url).protocol === 'https:';
    }
    return this.#https;
  }

  get gpc(): boolean {
    this.#gpc ??= this.#options.respectGpc && this.#c.req.header('sec-gpc')?.trim() === '1';
    return this.#gpc;
  }

  get userAgent(): string | undefined {
    const ua = this.#c.req.header('user-agent');
    return ua !== undefined && ua.trim() !== '' ? ua : undefined;
  }
}

/**
 * Creates the per-request facts lookup.
 *
 * @example
 * ```ts
 * const factsOf = requestFacts({ ipOptions: { trustProxy: 1 }, proxied: true, respectGpc: true });
 * if (factsOf(c).gpc) return c.json({ suppressed: true }, 202);
 * ```
 */
export function requestFacts(options: RequestFactsOptions): FactsOf {
  const facts = new WeakMap<Context, RequestFacts>();
  return function factsOf(c) {
    let found = facts.get(c);
    if (!found) {
      found = new LazyFacts(c, options);
      facts.set(c, found);
    }
    return found;
  };
}
