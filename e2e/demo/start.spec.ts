/**
 * `npm run demo`'s server entry as a user starts it: no X endpoint configured,
 * so it starts its own emulator, prints the links, serves the landing page and
 * the dashboard, and stops cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoAssets } from './build-assets.ts';
import { freePort } from './demo-stack.ts';
import { waitFor } from './wait-for.ts';

const DEMO_DIR = new URL('../../demo-site/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'twclid-demo-start-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo start-up', () => {
  it('starts its own emulator, prints the links and real-X instructions, and stops on SIGTERM', async () => {
    buildDemoAssets();
    const [port, emulatorPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: DEMO_DIR,
      env: {
        ...process.env,
        PORT: String(port),
        EMULATOR_PORT: String(emulatorPort),
        TWCLID_KIT_DB: join(dir, 'outbox.db'),
        X_ADS_API_BASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await waitFor('the start-up banner', () => output.includes('Dashboard:'), {
        timeoutMs: 30_000,
      });
      const adClick = /Simulated ad click: +(\S+)/.exec(output)?.[1] ?? '';
      expect(adClick).toMatch(new RegExp(`^http://localhost:${port}/\\?twclid=[0-9a-z]{26}$`));
      expect(output).toContain(`Dashboard:           http://localhost:${port}/dashboard`);
      expect(output).toContain(`X endpoint:          http://127.0.0.1:${emulatorPort}`);
      expect(output).toContain(join(dir, 'outbox.db'));
      expect(output).toMatch(/X_ADS_API_BASE_URL=https:\/\/ads-api\.x\.com/);
      expect(output).toMatch(/X_PIXEL_TOKEN/);

      const landing = await fetch(adClick.replace('localhost', '127.0.0.1'));
      expect(landing.status).toBe(200);
      expect(landing.headers.get('set-cookie')).toMatch(/^_twclid_kit=1\.\d+\.[0-9a-z]{26};/);
      const html = await landing.text();
      expect(html).toContain(`data-pixel-src="http://127.0.0.1:${emulatorPort}/uwt.js"`);
      const uwt = await fetch(`http://127.0.0.1:${emulatorPort}/uwt.js`);
      expect(uwt.headers.get('content-type')).toContain('javascript');
      const dashboard = await (await fetch(`http://127.0.0.1:${port}/dashboard`)).text();
      expect(dashboard).toContain(`X emulator at <code>http://127.0.0.1:${emulatorPort}</code>`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: flushing the outbox and stopping');
  });
});
