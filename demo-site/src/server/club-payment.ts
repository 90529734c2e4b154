/**
 * The Coffee Club's pretend payment provider. Cards are never stored or
 * logged; a card number ending in 0002 is declined (as with common test cards),
 * so the demo can show that a failed payment sends no conversion at all.
 */
export type PaymentResult = { ok: true } | { ok: false; reason: string };

export function chargeCard(card: string): PaymentResult {
  const digits = card.replace(/[\s-]/g, '');
  if (digits.endsWith('0002')) return { ok: false, reason: 'The card was declined.' };
  return { ok: true };
}
