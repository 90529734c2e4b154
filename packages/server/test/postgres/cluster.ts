/**
 * A throwaway PostgreSQL cluster for the tests, the reliability suite and the
 * benchmarks: Debian's `postgresql` package (`initdb`, `pg_ctl`), started in a
 * temporary directory on a free port and removed afterwards. Not mocked: the
 * Postgres store is tested against the real server, concurrent workers included.
 *
 * `TWCLID_KIT_TEST_PG_URL` points the tests at a server of your own instead
 * (nothing is started then; each test works in schemas of its own).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_URL_ENV = 'TWCLID_KIT_TEST_PG_URL';
export const INSTALL_POSTGRES_HINT =
  'apt-get install -y postgresql (Debian/Ubuntu), or set TWCLID_KIT_TEST_PG_URL to a server of your own';

export interface TestPostgres {
  url: string;
  /** Stops the server and removes its directory (a no-op for a server of your own). */
  stop(): void;
}

/** The directory holding `initdb` and `pg_ctl`: env `PG_BIN`, `pg_config`, Debian's layout, then PATH. */
export function findPostgresBin(): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  if (process.env.PG_BIN && has(process.env.PG_BIN)) return process.env.PG_BIN;
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && has(fromConfig.stdout.trim())) return fromConfig.stdout.trim();
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => has(join(debian, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && has(dir)) return dir;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Runs a Postgres program; as root it runs as the `postgres` user (initdb refuses root). */
function runAs(bin: string, program: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
    : [join(bin, program), args];
  try {
    execFileSync(cmd, argv, { stdio: 'pipe', cwd: tmpdir() });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    throw new Error(`${program} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

/**
 * Starts a cluster (or returns the server named by `TWCLID_KIT_TEST_PG_URL`).
 * Fails, never skips, when PostgreSQL is not installed: the message says how.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env[PG_URL_ENV];
  if (given) return { url: given, stop: () => {} };
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      `The Postgres tests need PostgreSQL's server programs (initdb, pg_ctl), not found: ${INSTALL_POSTGRES_HINT}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'twclid-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const user = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const group = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(user), Number(group));
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  const stop = () => {
    try {
      runAs(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running (start failed): only the directory is left to remove.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    runAs(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    // fsync off: a throwaway cluster; durability is the server's, not what is tested here.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`;
    runAs(bin, 'pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', 'start']);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
