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

/**
 * The rate-limit key of an address: IPv4 as is; IPv6 grouped by its /64 (one
 * subscriber usually holds a whole /64, so per-address limits are trivially
 * dodged). Unparseable or missing addresses share one key.
 */
export function rateLimitKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const parsed = normalizeIp(ip);
  if (!parsed.ok) return 'unknown';
  if (parsed.family === 4) return parsed.value;
  return `${ipv6Groups(parsed.value).slice(0, 4).join(':')}::/64`;
}
