import type { Product } from '../server/catalog.ts';
import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';

export interface ProductProps {
  site: SiteConfig;
  twclid: string | undefined;
  product: Product;
}

/**
 * Flow A. The form opts in with `data-tw-event`; the kit's script adds the hidden
 * `twclid` and `conversion_id` inputs on submit and fires the Pixel with the raw
 * email and phone. The server's form middleware (in front of `POST /checkout`)
 * reads the same fields and queues the Conversion API copy.
 */
export function ProductPage({ site, twclid, product }: ProductProps) {
  return (
    <Layout site={site} title={product.name} path="/shop/grinder" twclid={twclid}>
      <div class="grid two">
        <div class="product-art" aria-hidden="true">
          {product.emoji}
        </div>
        <div class="card">
          <div class="eyebrow">Flow A · form post</div>
          <h1>{product.name}</h1>
          <p class="muted">{product.blurb}</p>
          <p class="price">${product.price.toFixed(2)}</p>
          <form
            class="stack"
            method="post"
            action="/checkout"
            data-tw-event={site.events.purchase}
            data-testid="purchase-form"
          >
            <input type="hidden" name="sku" value={product.sku} />
            <label>
              Quantity
              <select name="quantity">
                <option value="1">1</option>
                <option value="2">2</option>
                <option value="3">3</option>
              </select>
            </label>
            <label>
              Email
              <input type="email" name="email" required autocomplete="email" />
            </label>
            <label>
              Phone <span class="hint">optional, with country code</span>
              <input type="tel" name="phone" autocomplete="tel" placeholder="+1 415 555 0100" />
            </label>
            <button type="submit">Buy now</button>
            <p class="hint">
              Nothing is charged. On submit the Pixel and the server send this purchase with one
              shared <code>conversion_id</code>.
            </p>
          </form>
        </div>
      </div>
    </Layout>
  );
}
