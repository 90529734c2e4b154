/** The demo shop's one product and the club's price: enough to make the flows concrete. */
export interface Product {
  sku: string;
  name: string;
  blurb: string;
  /** Unit price in `CURRENCY`. */
  price: number;
  emoji: string;
}

export const CURRENCY = 'USD';

export const GRINDER: Product = {
  sku: 'LUM-GRIND-01',
  name: 'Lumen Burr Grinder',
  blurb: 'Steel conical burrs, 40 grind settings, whisper quiet. Grinds 20 g in 12 seconds.',
  price: 129,
  emoji: '⚙️',
};

export const PRODUCTS: Record<string, Product> = { [GRINDER.sku]: GRINDER };

/** Coffee Club membership, per month. */
export const CLUB_PRICE = 12;
