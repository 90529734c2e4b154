/**
 * What to do about a failed tag or stats read (docs/x-api.md §9, Access):
 * the hint for each {@link AnalyticsError} kind, and the one message for a
 * pixel-token-only setup. The README's errors table says the same.
 */
import { type AnalyticsError, isAnalyticsError } from '@twclid-kit/server/analytics';
import { CommandFailed } from './exit-codes.ts';

export const OAUTH_NEEDED =
  'reading web event tags and stats needs OAuth 1.0a Ads API credentials with Standard access; ' +
  'X_PIXEL_TOKEN only sends conversions';

export const OAUTH_HOW =
  'get an Ads API app with Standard access in the X developer portal, set X_CONSUMER_KEY and ' +
  'X_CONSUMER_SECRET, then run `twclid-kit oauth login` as a user with ACCOUNT_ADMIN, AD_MANAGER ' +
  'or CAMPAIGN_ANALYST on the ad account and set the four X_* variables it prints';

export function accessHint(error: AnalyticsError): string {
  switch (error.kind) {
    case 'pixel-token':
      return OAUTH_HOW;
    case 'no-account':
      return 'set X_AD_ACCOUNT_ID (or --account-id) to the ad account that owns the pixel';
    case 'credentials':
      return 'check X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET (or run `twclid-kit oauth login`)';
    case 'access':
      return error.errors.some((e) => e.code === 'UNAUTHORIZED_CLIENT_APPLICATION')
        ? 'the app has "Conversion Only" access, which cannot read stats: apply for Standard Ads API access for the app in the developer portal'
        : 'the token user needs ACCOUNT_ADMIN, AD_MANAGER or CAMPAIGN_ANALYST on the ad account (an account admin grants it in ads.x.com), or run `twclid-kit oauth login` as a user who has it';
    case 'not-found':
      return 'check X_AD_ACCOUNT_ID (the ad account that owns the pixel)';
    case 'rate-limited':
      return 'X allows 250 stats requests per 15 minutes per user: wait, or drop --quick';
    case 'too-many-jobs':
      return 'other tools hold the account’s 100 stats job slots: try again later';
    default:
      return 'X answered unexpectedly; try again later';
  }
}

/** Turns an analytics failure into the command's failure (exit 1) with its hint. */
export function commandFailure(error: unknown): unknown {
  if (!isAnalyticsError(error)) return error;
  const message = error.kind === 'pixel-token' ? OAUTH_NEEDED : error.message;
  return new CommandFailed(message, accessHint(error));
}
