/** Where X's base code loads the Pixel from. */
export const PIXEL_SRC_DEFAULT = 'https://static.ads-twitter.com/uwt.js';

type Twq = ((...args: unknown[]) => void) & {
  exe?: (...args: unknown[]) => void;
  queue?: unknown[];
  version?: string;
};

/**
 * The page's `twq`, installing X's queueing stub when the base code has not
 * run: calls queue up and uwt.js replays them once it loads, exactly as X's
 * base code does (github.com/xdevplatform/x-pixel-samples).
 */
export function twq(): Twq {
  const w = window as { twq?: Twq };
  w.twq ||= Object.assign(
    function stub() {
      const s = stub as Twq;
      // biome-ignore lint/complexity/noArguments: uwt.js replays the queued `arguments` objects as-is
      s.exe ? s.exe.apply(s, arguments as never) : s.queue?.push(arguments);
    } as Twq,
    { version: '1.1', queue: [] as unknown[] },
  );
  return w.twq;
}

/** X's base code: the stub and an async uwt.js. */
export function loadPixel(src: string): void {
  twq();
  document.head.appendChild(Object.assign(document.createElement('script'), { async: true, src }));
}

/** Pixel event tag `tw-<pixel>-<event>` from either event ID form (`o87ne` or `tw-o8z6j-o87ne`). */
export function eventTag(pixelId: string | undefined, eventId: string): string {
  return eventId.startsWith('tw-') || !pixelId ? eventId : `tw-${pixelId}-${eventId}`;
}
