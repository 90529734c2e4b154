/**
 * `@twclid-kit/server/analytics`: did X count it? Reads of X's web event tags
 * and stats (docs/x-api.md §9) and the report that sets them beside what the
 * kit delivered, shared by `twclid-kit tags`/`report` and dashboards. Signed
 * with OAuth 1.0a through the core's signed fetch; nothing here is Node-only.
 */

export type { DeliveryReport, ReportOptions, ReportRow } from './analytics/report.ts';
export {
  ATTRIBUTION_NOTE,
  buildReport,
  isoSeconds,
  MAX_ENTITIES_PER_REQUEST,
  MAX_QUICK_DAYS,
  MAX_REPORT_DAYS,
  PLACEMENTS_DEFAULT,
  PROVISIONAL_MS,
  SYNC_REQUESTS_PER_WINDOW,
  statsQueries,
} from './analytics/report.ts';
export type { JobProgress, RunJobsOptions } from './analytics/stats-jobs.ts';
export { downloadResult, MAX_PROCESSING_JOBS, runStatsJobs } from './analytics/stats-jobs.ts';
export type { Attributed } from './analytics/stats-parse.ts';
export {
  addMetricTotals,
  addTagSegments,
  METRIC_FOR_TYPE,
  segmentTag,
} from './analytics/stats-parse.ts';
export type { TagHealth } from './analytics/tag-health.ts';
export { deliveriesByTag, TAG_GRACE_MS, tagHealth } from './analytics/tag-health.ts';
export {
  addDays,
  isTimeZone,
  lastDays,
  startOfZonedDay,
  zonedDay,
  zoneOffsetMs,
} from './analytics/time-zone.ts';
export type {
  ActiveEntity,
  AnalyticsClient,
  AnalyticsClientOptions,
  AnalyticsErrorKind,
  StatsBody,
  StatsJob,
  StatsQuery,
  WebEventTag,
} from './analytics/x-reads.ts';
export {
  AnalyticsError,
  createAnalyticsClient,
  isAnalyticsError,
  readXErrors,
} from './analytics/x-reads.ts';
export type { DeliveredCount, DeliveredCountsQuery } from './delivered-counts.ts';
export { deliveredBucket, deliveredTally, HOUR_MS } from './delivered-counts.ts';
