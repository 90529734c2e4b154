import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export interface HomeProps {
  site: SiteConfig;
  twclid: string | undefined;
}

/** The landing page an ad points at (`/?twclid=...`). */
export function HomePage({ site, twclid }: HomeProps) {
  return (
    <Layout site={site} title="Freshly roasted" path="/" twclid={twclid}>
      <section class="hero">
        <div class="eyebrow" data-testid="landing-eyebrow">
          {twclid ? 'Welcome, you came from an ad on X' : 'Small-batch coffee, roasted on Mondays'}
        </div>
        <h1>Freshly roasted. Honestly measured.</h1>
        <p>
          Lumen is a pretend coffee shop. Every purchase, lead and sign-up below reaches X twice,
          through the X Pixel in your browser and through the Conversion API from this server, and X
          counts it exactly once.
        </p>
        <p>
          <a class="button" href="/shop/grinder">
            Shop the grinder
          </a>{' '}
          <a class="button secondary" href="/dashboard">
            Watch it on the dashboard
          </a>
        </p>
      </section>

      <div class="grid three">
        <a class="card flow-card" href="/shop/grinder">
          <span class="badge accent">Flow A · form post</span>
          <h3>Buy a burr grinder</h3>
          <p class="muted small">
            A plain HTML form with <code>data-tw-event</code>. The script adds the click ID and a
            fresh <code>conversion_id</code>, fires the Pixel, and the server's form middleware
            sends the same conversion to the Conversion API.
          </p>
        </a>
        <a class="card flow-card" href="/wholesale">
          <span class="badge accent">Flow B · JavaScript</span>
          <h3>Ask for wholesale pricing</h3>
          <p class="muted small">
            A button calls <code>twclidKit.track('{site.events.lead}', ...)</code>: one call fires
            the Pixel and posts the same event to the kit's route.
          </p>
        </a>
        <a class="card flow-card" href="/club">
          <span class="badge accent">Flow C · server</span>
          <h3>Join the Coffee Club</h3>
          <p class="muted small">
            After a simulated payment the app calls <code>sendConversion(c, ...)</code> with the{' '}
            <code>conversion_id</code> the page's Pixel uses.
          </p>
        </a>
      </div>

      <p class="callout" style="margin-top:1.5rem">
        No ad handy? <a href="/ad-click">Simulate an ad click</a>: it opens this page with a fresh{' '}
        <code>?twclid=</code>, the way X sends visitors from an ad.
      </p>
    </Layout>
  );
}
