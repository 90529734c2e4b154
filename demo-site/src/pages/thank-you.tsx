import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export interface ThankYouProps {
  site: SiteConfig;
  twclid: string | undefined;
  /** What was bought or requested, for the message. */
  summary: string;
  /** The order reference shown to the customer. */
  order: string | undefined;
}

/** The page after a conversion. It needs nothing from the kit. */
export function ThankYouPage({ site, twclid, summary, order }: ThankYouProps) {
  return (
    <Layout site={site} title="Thank you" path="/thank-you" twclid={twclid}>
      <div class="card" style="max-width:640px;margin:2rem auto;text-align:center">
        <div style="font-size:2.5rem" aria-hidden="true">
          ☕
        </div>
        <h1 data-testid="thank-you">Thank you!</h1>
        <p class="muted">{summary}</p>
        {order ? (
          <p>
            Order reference <code data-testid="order">{order}</code>
          </p>
        ) : null}
        <p>
          <a class="button" href="/dashboard">
            See how X counted it
          </a>{' '}
          <a class="button secondary" href="/">
            Back to the shop
          </a>
        </p>
      </div>
    </Layout>
  );
}
