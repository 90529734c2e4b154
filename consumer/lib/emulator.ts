/**
 * The emulator as a user starts it: the `twclid-emulator` bin from an app's
 * own node_modules, on a free port, configured from what it prints.
 */
import type { ConsumerApp } from './app.ts';
import { type Service, startService } from './exec.ts';

export interface RunningEmulator {
  url: string;
  service: Service;
  /** The `X_…=value` settings the emulator printed for its users. */
  settings: Record<string, string>;
}

export async function startEmulatorBin(app: ConsumerApp): Promise<RunningEmulator> {
  const service = startService(
    'twclid-emulator',
    app.path('node_modules/.bin/twclid-emulator'),
    ['--port', '0'],
    { cwd: app.dir, env: app.env() },
  );
  const [, url = ''] = await service.waitForOutput(
    /X emulator listening on (http:\/\/\S+)/,
    30_000,
  );
  // The banner is one write, but wait for its last line rather than trust chunking.
  await service.waitForOutput(/^Faults: /m, 10_000);
  const settings: Record<string, string> = {};
  for (const [, key = '', value = ''] of service.output().matchAll(/^\s+(X_[A-Z_]+)=(\S+)$/gm)) {
    settings[key] = value;
  }
  return { url, service, settings };
}
