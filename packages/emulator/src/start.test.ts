import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { CONVERSIONS_PATH, oauthHeader, validConversion } from '../test/helpers.ts';
import { type EmulatorHandle, startEmulator } from './start.ts';

let handle: EmulatorHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

const send = (h: EmulatorHandle, conversionId: string) => {
  const url = `${h.url}${CONVERSIONS_PATH}`;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: oauthHeader('POST', url) },
    body: JSON.stringify({ conversions: [validConversion({ conversion_id: conversionId })] }),
  });
};

describe('startEmulator', () => {
  it('listens on a free port and serves signed requests addressed to it', async () => {
    handle = await startEmulator({ port: 0 });
    expect(handle.port).toBeGreaterThan(0);
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}`);
    const res = await send(handle, 'a');
    expect(res.status).toBe(200);
    expect(handle.state.stats().counted).toBe(1);
    expect(handle.state.events()[0]?.auth.ok).toBe(true);
  });

  it('destroys the socket on a dropped connection, after processing when asked', async () => {
    handle = await startEmulator({ port: 0, faults: { dropRate: 1, dropAfterProcessing: true } });
    await expect(send(handle, 'a')).rejects.toThrow();
    expect(handle.state.stats()).toMatchObject({ counted: 1, faults: { dropped: 1 } });
    handle.setFaults({ dropRate: 0 });
    expect((await send(handle, 'a')).status).toBe(200);
    expect(handle.state.stats()).toMatchObject({ counted: 1, deduplicated: 1 });
  });

  it('never answers a timed-out request; the client’s own timeout fires; close() still returns', async () => {
    handle = await startEmulator({ port: 0, faults: { timeoutRate: 1 } });
    const url = `${handle.url}${CONVERSIONS_PATH}`;
    const res = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: oauthHeader('POST', url) },
      body: JSON.stringify({ conversions: [validConversion()] }),
      signal: AbortSignal.timeout(200),
    });
    const early = await Promise.race([
      res.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('pending'), 100)),
    ]);
    expect(early).toBe('pending');
    await expect(res).rejects.toThrow();
    expect(handle.state.stats()).toMatchObject({ counted: 0, faults: { timeout: 1 } });
    // Another hung request, left open: close() must not wait for it.
    const hanging = send(handle, 'b').catch(() => 'failed');
    await new Promise((r) => setTimeout(r, 50));
    await handle.close();
    expect(await hanging).toBe('failed');
    handle = undefined;
  });

  it('serves uwt.js and the inspection API with CORS for another origin', async () => {
    handle = await startEmulator({ port: 0 });
    const script = await fetch(`${handle.url}/uwt.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('twq.exe');
    const stats = await fetch(`${handle.url}/_emulator/stats`, {
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    expect(stats.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await fetch(`${handle.url}/_emulator/faults`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
  });

  it('rejects a bad port and bad options with a message naming the field', async () => {
    await expect(startEmulator({ port: -1 })).rejects.toThrow(/^port:/);
    await expect(startEmulator({ eventsPerWindow: 0 })).rejects.toThrow(/^eventsPerWindow:/);
    await expect(
      startEmulator({ tokens: [{ token: 't', secret: 's', userId: 'ghost' }] }),
    ).rejects.toThrow(/^tokens\[0\]\.userId: no user ghost/);
  });

  it("runs a stats job over HTTP and serves its result at the job's url on its own origin", async () => {
    handle = await startEmulator({
      port: 0,
      analytics: { attributionShare: 1, jobPolls: 1, timezone: 'UTC' },
    });
    expect((await send(handle, 'job-1')).status).toBe(200);
    const signed = (method: string, url: string) =>
      fetch(url, { method, headers: { authorization: oauthHeader(method, url) } });
    const params = new URLSearchParams({
      entity: 'CAMPAIGN',
      entity_ids: '8wku2,8wku3',
      start_time: '2026-11-28T00:00:00Z',
      end_time: '2026-11-29T00:00:00Z',
      granularity: 'TOTAL',
      metric_groups: 'WEB_CONVERSION',
      placement: 'ALL_ON_TWITTER',
      segmentation_type: 'CONVERSION_TAGS',
    });
    const jobs = `${handle.url}/12/stats/jobs/accounts/${handle.config.accounts[0]?.id}`;
    const created = await signed('POST', `${jobs}?${params}`);
    expect(created.status).toBe(200);
    const { data } = (await created.json()) as { data: { id_str: string } };
    const polled = await signed('GET', `${jobs}?job_ids=${data.id_str}`);
    const [job] = ((await polled.json()) as { data: { status: string; url: string }[] }).data;
    expect(job?.status).toBe('SUCCESS');
    expect(job?.url.startsWith(`${handle.url}/_emulator/stats-results/`)).toBe(true);
    const file = await fetch(job?.url as string);
    const result = JSON.parse(gunzipSync(Buffer.from(await file.arrayBuffer())).toString()) as {
      data: { id_data: { metrics: { conversion_purchases: { metric: number[] } } }[] }[];
    };
    const purchases = result.data.flatMap((d) =>
      d.id_data.map((i) => i.metrics.conversion_purchases.metric[0]),
    );
    expect(purchases).toEqual([1]);
  });
});
