/**
 * One warning when the app sits behind a proxy it has not told the kit about.
 *
 * With `trustProxy` off the kit ignores `X-Forwarded-For` (anyone can send it),
 * so behind a load balancer every visitor has the proxy's address: they all
 * share one per-IP bucket and X receives the proxy's IP. The kit cannot tell a
 * real proxy from a forged header, so it only says so, once per process.
 */
import type { Context } from 'hono';
import type { Logger } from '../x-types.ts';

/** Notes a request; logs the first one that carries `X-Forwarded-For` while it is not trusted. */
export type ProxyHeaderCheck = (c: Context) => void;

export function createProxyHeaderCheck(trusted: boolean, logger: Logger): ProxyHeaderCheck {
  let warned = trusted;
  return function noteProxyHeader(c) {
    if (warned || c.req.header('x-forwarded-for') === undefined) return;
    warned = true;
    logger.log('warn', 'proxy.header_ignored', {
      header: 'x-forwarded-for',
      hint:
        'requests carry X-Forwarded-For but trustProxy is off, so every visitor behind the proxy ' +
        'shares its address (one per-IP bucket; X receives the proxy IP). Set trustProxy to the ' +
        'number of proxies in front of the app; leave it off when there is none, since clients can forge the header.',
    });
  };
}
