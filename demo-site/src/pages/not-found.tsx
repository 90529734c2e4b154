import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export function NotFoundPage({ site, twclid }: { site: SiteConfig; twclid: string | undefined }) {
  return (
    <Layout site={site} title="Not found" path="" twclid={twclid}>
      <div class="card" style="max-width:640px;margin:2rem auto;text-align:center">
        <h1>Nothing here</h1>
        <p class="muted">That page does not exist in this little shop.</p>
        <a class="button" href="/">
          Back to the shop
        </a>
      </div>
    </Layout>
  );
}
