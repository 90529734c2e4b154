import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from './cli-args.ts';

describe('twclid-emulator flags', () => {
  it('defaults to port 4100 and no faults', () => {
    expect(parseCliArgs([])).toEqual({ help: false, options: { port: 4100 } });
  });

  it('maps fault flags to fault options', () => {
    expect(
      parseCliArgs([
        '--port',
        '0',
        '--seed',
        '9',
        '--server-error-rate',
        '0.2',
        '--timeout-rate',
        '0.05',
        '--rate-limit-rate',
        '0.05',
        '--drop-rate',
        '0.01',
        '--drop-after-processing',
        '--server-error-html',
        '--hang-ms',
        '100',
        '--slow-rate',
        '0.1',
        '--slow-ms',
        '300',
        '--latency-ms',
        '5',
        '--retry-after',
        '2',
        '--events-per-window',
        '1000',
        '--unknown-event-status',
        '400',
        '--host',
        '0.0.0.0',
      ]),
    ).toEqual({
      help: false,
      options: {
        port: 0,
        hostname: '0.0.0.0',
        eventsPerWindow: 1000,
        unknownEventStatus: 400,
        faults: {
          seed: 9,
          serverErrorRate: 0.2,
          timeoutRate: 0.05,
          rateLimitRate: 0.05,
          dropRate: 0.01,
          dropAfterProcessing: true,
          serverErrorHtml: true,
          hangMs: 100,
          slowRate: 0.1,
          slowMs: 300,
          latencyMs: 5,
          retryAfterSeconds: 2,
        },
      },
    });
  });

  it('names the bad flag', () => {
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(
      new CliUsageError('--port: expected a number, got "abc"'),
    );
    expect(() => parseCliArgs(['--unknown-event-status', '500'])).toThrow(/--unknown-event-status/);
    expect(() => parseCliArgs(['--nope'])).toThrow(CliUsageError);
    expect(parseCliArgs(['-h'])).toEqual({ help: true });
  });
});

describe('twclid-emulator analytics and access flags', () => {
  it('maps analytics flags, --conversion-only and --permissions to options', () => {
    const parsed = parseCliArgs([
      '--timezone',
      'Europe/Paris',
      '--attribution-share',
      '0.8',
      '--post-view-share',
      '0.1',
      '--attribution-seed',
      '3',
      '--job-polls',
      '4',
      '--job-delay-ms',
      '1000',
      '--max-processing-jobs',
      '5',
      '--stats-requests-per-window',
      '10',
      '--result-lag',
      '1',
      '--conversion-only',
      '--permissions',
      'CREATIVE_MANAGER,ANALYST',
    ]);
    expect(parsed).toMatchObject({
      help: false,
      options: {
        analytics: {
          timezone: 'Europe/Paris',
          attributionShare: 0.8,
          postViewShare: 0.1,
          seed: 3,
          jobPolls: 4,
          jobDelayMs: 1000,
          maxProcessingJobs: 5,
          statsRequestsPerWindow: 10,
          resultLagRequests: 1,
        },
        consumers: [{ accessLevel: 'conversion_only' }],
        users: [{ access: { '18ce552mlaq': ['CREATIVE_MANAGER', 'ANALYST'] } }],
      },
    });
  });

  it('names a bad role or number', () => {
    expect(() => parseCliArgs(['--permissions', 'BOSS'])).toThrow(/--permissions: BOSS/);
    expect(() => parseCliArgs(['--job-polls', 'many'])).toThrow(/--job-polls/);
  });
});
