/**
 * Which IP a request came from, and the key the per-IP rate limit counts it under.
 *
 * `X-Forwarded-For` is trusted only when the app says a proxy sits in front
 * (anyone can send the header otherwise). Without it the address comes from
 * the runtime, read the way Hono's own connection-info helpers read it
 * (`@hono/node-server/conninfo`, `hono/bun`, `hono/deno`,
 * `hono/cloudflare-workers`), duck-typed so that the kit imports none of them:
 * each pulls in modules that other runtimes cannot load.
 */
import type { Context } from 'hono';
import { getRuntimeKey } from 'hono/adapter';
import type { GetConnInfo } from 'hono/conninfo';
import { normalizeIp } from '../normalize.ts';

export interface ClientIpOptions {
  /**
   * Trust `X-Forwarded-For`: `true` = one proxy in front (take the last entry),
   * a number = that many trusted proxies (take the entry that far from the right).
   * Default `false`: the header is ignored.
   */
  trustProxy?: boolean | number;
  /** Custom resolver (e.g. a header your CDN sets); wins over everything else. */
  getIp?: (c: Context) => string | undefined;
  /**
   * Hono's connection-info helper for your runtime, e.g. `getConnInfo` from
   * `@hono/node-server/conninfo`; used instead of the kit's own runtime
   * detection (after `X-Forwarded-For` when a proxy is trusted).
   */
  getConnInfo?: GetConnInfo;
}

export function clientIp(c: Context, options: ClientIpOptions): string | undefined {
  if (options.getIp) return options.getIp(c);
  const hops = options.trustProxy === true ? 1 : Number(options.trustProxy || 0);
  if (hops > 0) {
    const header = c.req.header('x-forwarded-for');
    if (header) {
      const entries = header
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const picked = entries[Math.max(0, entries.length - hops)];
      if (picked) return picked;
    }
  }
  if (options.getConnInfo) return options.getConnInfo(c).remote.address;
  return runtimeAddress(c);
}

let detected: string | undefined;
const currentRuntime = (): string => {
  detected ??= getRuntimeKey();
  return detected;
};

/** The peer address as the runtime (`hono/adapter`'s key) hands it to a Hono app. */
export function runtimeAddress(c: Context, runtime: string = currentRuntime()): string | undefined {
  // Cloudflare puts the visitor's address in a header it overwrites; on any
  // other runtime that header is whatever the client sent.
  if (runtime === 'workerd') return c.req.header('cf-connecting-ip') ?? undefined;
  const env = c.env as Record<string, unknown> | undefined;
  if (!env || typeof env !== 'object') return undefined;
  // @hono/node-server: the Node request is `env.incoming`.
  const incoming = env.incoming as { socket?: { remoteAddress?: unknown } } | undefined;
  if (incoming?.socket) return stringOrUndefined(incoming.socket.remoteAddress);
  // Deno.serve(app.fetch): the handler info, `{ remoteAddr: { hostname } }`.
  const remoteAddr = env.remoteAddr as { hostname?: unknown } | undefined;
  if (remoteAddr && typeof remoteAddr === 'object') return stringOrUndefined(remoteAddr.hostname);
  // Bun.serve({ fetch: app.fetch }): the server itself (or `env.server`) answers requestIP().
  const server = (typeof env.requestIP === 'function' ? env : env.server) as
    | { requestIP?: (request: Request) => { address?: unknown } | null }
    | undefined;
  if (typeof server?.requestIP === 'function') {
    return stringOrUndefined(server.requestIP(c.req.raw)?.address);
  }
  return undefined;
}

const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Expands a canonical IPv6 address to its eight 16-bit groups. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}

/** How much of an IPv6 address one subscriber is assumed to hold (see `rateLimitKey`). */
export const IPV6_PREFIX_DEFAULT = 56;

/**
 * The rate-limit key of an address: IPv4 as is; IPv6 grouped by its network
 * prefix, /56 by default. Home and mobile subscribers are commonly delegated a
 * /56 (RIPE-690 recommends it; many ISPs hand out /56 or /48), so counting per
 * /64 or per address would let one subscriber spread a flood over 256 or more
 * keys. Unparseable or missing addresses share one key.
 */
export function rateLimitKey(ip: string | undefined, ipv6Prefix = IPV6_PREFIX_DEFAULT): string {
  if (!ip) return 'unknown';
  const parsed = normalizeIp(ip);
  if (!parsed.ok) return 'unknown';
  if (parsed.family === 4) return parsed.value;
  const prefix = Math.min(128, Math.max(0, Math.trunc(ipv6Prefix)));
  const masked = ipv6Groups(parsed.value).map((group, i) => {
    const bits = Math.min(16, Math.max(0, prefix - 16 * i));
    const mask = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    return (Number.parseInt(group, 16) & mask).toString(16);
  });
  return `${masked.join(':')}/${prefix}`;
}
