/**
 * A small HTTP client for the emulator's inspection API (`/_emulator/*`, see
 * packages/emulator/README.md). The demo uses HTTP rather than the in-process
 * handle so it works the same with an emulator started elsewhere.
 */
import type {
  ConversionGroup,
  EmulatorStats,
  EventRecord,
  FaultConfig,
} from '@twclid-kit/emulator';

export interface EmulatorEventName {
  id: string;
  name: string | null;
}

export interface EmulatorClient {
  readonly url: string;
  /** `true` when `url` serves the inspection API (an emulator, not real X). */
  probe(): Promise<boolean>;
  stats(): Promise<EmulatorStats>;
  /** The newest `limit` conversion groups. */
  conversions(limit: number): Promise<ConversionGroup[]>;
  /** The newest `limit` conversion copies (Pixel and CAPI, accepted or not). */
  events(limit: number): Promise<EventRecord[]>;
  /** Event IDs with their names, from the emulator's configuration. */
  eventNames(): Promise<EmulatorEventName[]>;
  faults(): Promise<FaultConfig>;
  setFaults(update: Partial<FaultConfig>): Promise<FaultConfig>;
}

interface EmulatorConfigView {
  accounts: { pixels: { events: EmulatorEventName[] }[] }[];
}

export function createEmulatorClient(
  url: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 2_000,
): EmulatorClient {
  const base = url.replace(/\/+$/, '');
  async function call<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await fetchImpl(`${base}/_emulator${path}`, {
      ...init,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      throw new Error(`emulator ${path}: HTTP ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as T;
  }
  return {
    url: base,
    probe: () =>
      call<EmulatorStats>('/stats').then(
        (stats) => typeof stats.counted === 'number',
        () => false,
      ),
    stats: () => call<EmulatorStats>('/stats'),
    conversions: (limit) =>
      call<{ conversions: ConversionGroup[] }>(`/conversions?limit=${limit}`).then(
        (body) => body.conversions,
      ),
    events: (limit) =>
      call<{ events: EventRecord[] }>(`/events?type=conversion&limit=${limit}`).then(
        (body) => body.events,
      ),
    eventNames: () =>
      call<EmulatorConfigView>('/config').then((config) =>
        config.accounts.flatMap((a) => a.pixels.flatMap((p) => p.events)),
      ),
    faults: () => call<FaultConfig>('/faults'),
    setFaults: (update) =>
      call<FaultConfig>('/faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(update),
      }),
  };
}
