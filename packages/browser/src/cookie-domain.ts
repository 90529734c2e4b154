import Cookies from 'js-cookie';

const PROBE = '_twclid_kit_probe';

/**
 * The registrable domain for the click cookie (`example.co.uk` on
 * `shop.example.co.uk`), so every subdomain of the site shares the click.
 *
 * No public-suffix list ships in the script: the browser already holds one and
 * refuses a cookie whose `Domain` is a public suffix (RFC 6265 §5.3 step 5).
 * So, like analytics libraries' "auto" cookie domain, probe from the top down
 * (`co.uk`, then `example.co.uk`, ...) and keep the first domain the browser
 * accepts. `''` means a host-only cookie: single-label hosts (`localhost`), IP
 * addresses, or cookies disabled.
 */
export function findCookieDomain(host: string): string {
  const labels = host.split('.');
  // A unique value, so a probe cookie left behind by an earlier page cannot pass.
  const v = `${Math.random()}`;
  // IP addresses end in a digit or `]`: host-only.
  for (let i = /[a-z]$/i.test(host) ? labels.length - 2 : -1; i >= 0; i--) {
    const domain = labels.slice(i).join('.');
    Cookies.set(PROBE, v, { domain });
    if (Cookies.get(PROBE) === v) {
      Cookies.remove(PROBE, { domain });
      return domain;
    }
  }
  return '';
}
