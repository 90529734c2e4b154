/** Help text shared by several commands. */

export const CONFIG_HELP = `
Configuration (environment; flags override):
  X_ADS_API_BASE_URL     Ads API base URL (default https://ads-api.x.com)
  X_ADS_API_VERSION      API version (default 12)
  X_PIXEL_ID             pixel ID, e.g. o8z6j
  X_AD_ACCOUNT_ID        ad account ID (rate budget and access check)
  X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET   OAuth 1.0a
  X_PIXEL_TOKEN          X-Pixel-Token instead of OAuth
Secrets are read from the environment only, never from flags.`;

export const EXIT_HELP = `
Exit codes: 0 ok, 1 failures reported, 2 usage or configuration error.`;
