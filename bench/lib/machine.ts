/** A one-line description of the machine a benchmark ran on, for the results file. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium?: string;
  /** 1, 5 and 15 minute load averages when the benchmark started (other work on the machine). */
  loadAverage?: string;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim(),
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** The version string of a Chromium binary, or undefined when it cannot run. */
export function chromiumVersion(executable: string): string | undefined {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', timeout: 10_000 })
      .split('\n')[0]
      ?.trim();
  } catch {
    return undefined;
  }
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}${m.chromium ? `, ${m.chromium}` : ''}`;
}
