/**
 * The globals the demo pages use: `window.twclidKit` from the kit's `<script>`
 * tag and `window.twq` from the X Pixel base code it loads.
 */
import type { TwclidKit } from '@twclid-kit/browser';

type Twq = (command: 'event', eventTag: string, params: Record<string, unknown>) => void;

declare global {
  interface Window {
    twclidKit?: TwclidKit;
    twq?: Twq;
  }
}

/** The kit's API, or an error a page can show when the script did not load. */
export function kit(): TwclidKit {
  if (!window.twclidKit)
    throw new Error('The twclid-kit script did not load (see /assets/twclid.iife.js).');
  return window.twclidKit;
}
