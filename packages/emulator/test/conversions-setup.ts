/**
 * The Conversion API tests' emulator: a fixed underlying clock the test can
 * move, and `send` that signs and posts a body and parses X's answer.
 */
import { createEmulator } from '../src/app.ts';
import type { EmulatorOptions } from '../src/config.ts';
import { signedPost } from './helpers.ts';

export const T0 = Date.parse('2026-11-28T12:00:00.000Z');
export const NOW_S = T0 / 1000;

export function setup(options: EmulatorOptions = {}) {
  let wall = T0;
  const emu = createEmulator({ now: () => wall, ...options });
  const send = async (body: unknown, sign: Parameters<typeof signedPost>[1] = {}) => {
    const { url, init } = signedPost(body, { timestamp: Math.floor(wall / 1000), ...sign });
    const res = await emu.app.request(url, init);
    // biome-ignore lint/suspicious/noExplicitAny: X's JSON bodies are asserted field by field.
    return { res, json: (await res.json()) as any };
  };
  return { emu, send, tick: (ms: number) => (wall += ms) };
}
