import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export interface ClubProps {
  site: SiteConfig;
  twclid: string | undefined;
  price: number;
}

/**
 * Flow C. `club.ts` mints a `conversion_id`, posts the (simulated) payment with it
 * to `/api/club/join`; only when the payment succeeds does the server call
 * `sendConversion(c, { conversionId, ... })` and the page fire the Pixel with the
 * same ID. Neither copy is sent for a declined card.
 */
export function ClubPage({ site, twclid, price }: ClubProps) {
  return (
    <Layout site={site} title="Coffee Club" path="/club" twclid={twclid} script="club">
      <div class="grid two">
        <div>
          <div class="eyebrow">Flow C · server-side conversion</div>
          <h1>The Coffee Club</h1>
          <p class="muted">
            A new single origin every month, roasted the day it ships. ${price.toFixed(2)} a month,
            cancel any time.
          </p>
          <p class="callout">
            Payment happens on the server. When it succeeds, the handler calls{' '}
            <code>sendConversion(c, {'{ eventId, conversionId, email, value }'})</code> with the{' '}
            <code>conversion_id</code> this page then gives the Pixel.
          </p>
        </div>
        <div class="card">
          <form
            class="stack"
            id="club-form"
            data-pixel-id={site.pixelId}
            data-signup-event={site.events.signup}
            data-price={String(price)}
          >
            <label>
              Email
              <input type="email" name="email" required autocomplete="email" />
            </label>
            <label>
              Card number{' '}
              <span class="hint">simulated: any 16 digits; ending in 0002 is declined</span>
              <input name="card" inputmode="numeric" value="4242 4242 4242 4242" required />
            </label>
            <button type="submit">Join for ${price.toFixed(2)} / month</button>
            <p class="hint" id="club-result" data-testid="club-result" aria-live="polite" />
          </form>
        </div>
      </div>
    </Layout>
  );
}
