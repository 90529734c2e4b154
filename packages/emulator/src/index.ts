/**
 * @twclid-kit/emulator: a local X Ads API (Conversion API, access level,
 * web event tags and stats, 3-legged OAuth) and X Pixel stand-in for tests,
 * demos and CI.
 */

export type {
  AnalyticsOptions,
  AppAccessLevel,
  CampaignOption,
  ResolvedAnalytics,
  TagType,
} from './analytics/analytics-config.ts';
export { TAG_METRICS, WEB_CONVERSION_METRICS } from './analytics/analytics-config.ts';
export type { AttributedDay, StatsJobView } from './analytics/analytics-inspection.ts';

export type { Emulator, EmulatorInspector, IssuedToken } from './app.ts';
export { createEmulator, createEmulatorApp, DroppedConnectionError } from './app.ts';
export type { EmulatorClock } from './clock.ts';
export type {
  AccountOption,
  ConsumerOption,
  EmulatorOptions,
  EventOption,
  Permission,
  PixelOption,
  PixelTokenOption,
  ResolvedAccount,
  ResolvedConfig,
  ResolvedEvent,
  TokenOption,
  UserOption,
} from './config.ts';
export { CONVERSION_PERMISSIONS, EmulatorConfigError, PERMISSIONS } from './config.ts';
export type { XError } from './conversion-rules.ts';
export { MAX_CONVERSIONS_PER_REQUEST } from './conversion-rules.ts';
export { EMULATOR_DEFAULTS } from './defaults.ts';
export type { FaultConfig, FaultKind } from './faults.ts';
export { FAULTS_NONE, FaultConfigError } from './faults.ts';
export type {
  AuthResult,
  Channel,
  ConversionFilter,
  ConversionGroup,
  DedupStatus,
  EmulatorStats,
  EventFilter,
  EventRecord,
  Verdict,
} from './ledger.ts';
export { PIXEL_COLLECT_PATH } from './pixel-script.ts';
export type { EmulatorHandle, StartOptions } from './start.ts';
export { startEmulator } from './start.ts';
