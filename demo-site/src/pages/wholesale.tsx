import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export interface WholesaleProps {
  site: SiteConfig;
  twclid: string | undefined;
}

/**
 * Flow B. No form post: `lead.ts` calls `twclidKit.track(eventId, {...})`, which
 * fires the Pixel and posts the same event (same `conversion_id`) to `/tw/events`.
 */
export function WholesalePage({ site, twclid }: WholesaleProps) {
  return (
    <Layout site={site} title="Wholesale" path="/wholesale" twclid={twclid} script="lead">
      <div class="grid two">
        <div>
          <div class="eyebrow">Flow B · JavaScript conversion</div>
          <h1>Coffee for your café</h1>
          <p class="muted">
            Roasted to order in 5 kg bags, delivered every week. Leave your email and we call you
            back with prices.
          </p>
          <p class="callout">
            The button below runs{' '}
            <code>
              twclidKit.track('{site.events.lead}', {'{ email, description }'})
            </code>
            . It returns the <code>conversion_id</code> it shared with the Pixel and the server.
          </p>
        </div>
        <div class="card">
          <form class="stack" id="lead-form" data-lead-event={site.events.lead}>
            <label>
              Café name
              <input name="company" autocomplete="organization" placeholder="Corner Café" />
            </label>
            <label>
              Email
              <input type="email" name="email" required autocomplete="email" />
            </label>
            <button type="submit">Request wholesale pricing</button>
            <p class="hint" id="lead-result" data-testid="lead-result" aria-live="polite" />
          </form>
        </div>
      </div>
    </Layout>
  );
}
