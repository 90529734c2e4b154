import type { Context } from 'hono';
import { z } from 'zod';
import { PRODUCTS } from './catalog.ts';

/** The demo's 4xx body, the same shape as the kit's: `{ error: { code, message, field } }`. */
export function badRequest(
  c: Context,
  issue: z.core.$ZodIssue | undefined,
  status: 400 | 402 = 400,
) {
  const field = issue?.path.map(String).join('.') || undefined;
  return c.json(
    {
      error: {
        code: status === 402 ? 'payment_failed' : 'invalid_input',
        message: field ? `${field}: ${issue?.message}` : (issue?.message ?? 'Invalid input'),
        field,
      },
    },
    status,
  );
}

const email = z.string().trim().pipe(z.email('must be an email address').max(254));

/** Flow A's purchase form (`POST /checkout`, urlencoded). */
export const CheckoutForm = z.object({
  sku: z.string().refine((sku) => Object.hasOwn(PRODUCTS, sku), 'is not a product of this shop'),
  quantity: z.coerce.number().int('must be a whole number').min(1).max(10),
  email,
  phone: z.string().trim().max(32).optional(),
});

/** Flow C's payment call (`POST /api/club/join`, JSON). */
export const ClubJoin = z.object({
  email,
  card: z
    .string()
    .transform((s) => s.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{16}$/, 'must be 16 digits')),
  conversion_id: z.uuid('must be the UUID the page minted'),
});

/** The dashboard's fault switch (`POST /api/faults`, JSON). */
export const FaultSwitch = z.object({
  serverErrorRate: z.number().min(0).max(1),
});
