/**
 * Demo defaults: the one place the demo, the tests and the CLI take their
 * emulator credentials and IDs from. Code paths never hard-code these; they
 * read the resolved options (see `options.ts`).
 */
export const EMULATOR_DEFAULTS = {
  /** API version segment the demo talks to (product default `X_ADS_API_VERSION=12`). */
  apiVersion: '12',
  accountId: '18ce552mlaq',
  pixelId: 'o8z6j',
  events: {
    purchase: { id: 'o87ne', name: 'Purchase' },
    lead: { id: 'o87nf', name: 'Lead' },
    signUp: { id: 'o87ng', name: 'Sign up' },
  },
  consumerKey: 'emulator-consumer-key',
  consumerSecret: 'emulator-consumer-secret',
  accessToken: 'emulator-access-token',
  accessTokenSecret: 'emulator-access-token-secret',
  pixelToken: 'emulator-pixel-token',
  /** The user the default access token belongs to (and who approves the 3-legged flow). */
  userId: '1000000001',
  screenName: 'twclid_emulator',
  permissions: ['ACCOUNT_ADMIN'],
} as const;
