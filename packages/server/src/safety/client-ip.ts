/**
 * Which IP a request came from, and the key the per-IP rate limit counts it under.
 *
 * `X-Forwarded-For` is trusted only when the app says a proxy sits in front
 * (anyone can send the header otherwise). Without it the socket address comes
 * from the runtime binding: `@hono/node-server` puts the Node request in
 * `c.env.incoming` (read duck-typed, so nothing Node-only is imported).
 */
import type { Context } from 'hono';
import { normalizeIp } from '../normalize.ts';

export interface ClientIpOptions {
  /**
   * Trust `X-Forwarded-For`: `true` = one proxy in front (take the last entry),
   * a number = that many trusted proxies (take the entry that far from the right).
   * Default `false`: the header is ignored.
   */
  trustProxy?: boolean | number;
  /** Custom resolver (e.g. Cloudflare's `cf-connecting-ip`); wins over everything else. */
  getIp?: (c: Context) => string | undefined;
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
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const remote = env?.incoming?.socket?.remoteAddress;
  return typeof remote === 'string' ? remote : undefined;
}

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
