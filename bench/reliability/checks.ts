/**
 * The reliability suite's verdicts: each check passes or fails with a detail
 * line; the suite ends with `N passed, N failed` and a non-zero exit on any failure.
 */
export interface CheckResult {
  scenario: string;
  name: string;
  ok: boolean;
  detail: string;
}

export interface Checks {
  check(name: string, ok: boolean, detail?: string): boolean;
  /** A scenario that threw: recorded as one failed check. */
  crashed(error: unknown): void;
  readonly results: readonly CheckResult[];
}

export function createChecks(scenario: string, sink: CheckResult[] = []): Checks {
  return {
    check(name, ok, detail = '') {
      sink.push({ scenario, name, ok, detail });
      console.log(`  ${ok ? '✓' : '✗'} ${scenario}: ${name}${detail ? ` (${detail})` : ''}`);
      return ok;
    },
    crashed(error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      sink.push({ scenario, name: 'scenario ran to the end', ok: false, detail: message });
      console.log(`  ✗ ${scenario}: scenario ran to the end (${message})`);
    },
    get results() {
      return sink.filter((r) => r.scenario === scenario);
    },
  };
}

/** The closing line the CI log is read for. */
export function summaryLine(results: readonly CheckResult[]): string {
  const passed = results.filter((r) => r.ok).length;
  return `${passed} passed, ${results.length - passed} failed`;
}
