/**
 * The emulator's inspection API over HTTP, as the specs read it. Types come
 * from the emulator package; the data comes from the emulator process.
 */
import type {
  ConversionGroup,
  EmulatorStats,
  EventRecord,
  FaultConfig,
} from '@twclid-kit/emulator';

export function emulatorApi(baseUrl: string) {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}/_emulator${path}`);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  return {
    stats: () => get<EmulatorStats>('/stats'),
    conversions: (conversionId: string) =>
      get<{ conversions: ConversionGroup[] }>(
        `/conversions?conversion_id=${encodeURIComponent(conversionId)}`,
      ).then((body) => body.conversions),
    events: (query = '') =>
      get<{ events: EventRecord[] }>(`/events${query}`).then((body) => body.events),
    faults: () => get<FaultConfig>('/faults'),
    async setFaults(update: Partial<FaultConfig>): Promise<FaultConfig> {
      const response = await fetch(`${baseUrl}/_emulator/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(update),
      });
      if (!response.ok) throw new Error(`PUT /faults: HTTP ${response.status}`);
      return (await response.json()) as FaultConfig;
    },
  };
}

export type EmulatorApi = ReturnType<typeof emulatorApi>;
