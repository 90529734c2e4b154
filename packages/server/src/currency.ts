/**
 * ISO 4217 currency codes, from the runtime's own list
 * (`Intl.supportedValuesOf('currency')`, ECMA-402), so the list stays current
 * with the runtime's ICU data without a code table of our own.
 */
let codes: ReadonlySet<string> | undefined;

/** The set of ISO 4217 codes the runtime knows (`USD`, `EUR`, `JPY`…). */
export function currencyCodes(): ReadonlySet<string> {
  codes ??= new Set(Intl.supportedValuesOf('currency'));
  return codes;
}

/** `true` for a known ISO 4217 code; case-sensitive (X's examples are uppercase). */
export function isCurrencyCode(code: string): boolean {
  return currencyCodes().has(code);
}
