/** Options of `init()`; the IIFE reads the same from `data-*` attributes. */
export interface KitOptions {
  /** Pixel (event source) ID, e.g. `o8z6j`; turns short event IDs into `tw-<pixel>-<event>`. */
  pixelId?: string;
  /** Server event endpoint, e.g. `/tw/events`. Without it only the Pixel fires. */
  endpoint?: string;
  /** Capture endpoint; default: the endpoint's base with `/capture` (`/tw/events` → `/tw/capture`). */
  captureEndpoint?: string;
  /** Call the capture endpoint on a new click so the server re-sets the cookie. Default `true` (when there is an endpoint). */
  capture?: boolean;
  /** Click lifetime in days. Default 90 (X's longest attribution window). */
  cookieDays?: number;
  /** `'required'`: store and send nothing until `grantConsent()`. Default `'granted'`. */
  consent?: 'granted' | 'required';
  /** Inject X's Pixel base code and call `twq('config', pixelId)`. Default `false`. */
  loadPixel?: boolean;
  /** uwt.js URL for `loadPixel`. Default `https://static.ads-twitter.com/uwt.js`. */
  pixelSrc?: string;
  /** Hidden form field names. Defaults `twclid`, `conversion_id` (same as the server). */
  twclidField?: string;
  conversionIdField?: string;
  /** Name of a form's email / phone input. Inputs of type `email` / `tel` are always used too. Defaults `email`, `phone`. */
  emailField?: string;
  phoneField?: string;
  /** Name of a form's value / currency input, read when the form has no `data-tw-value` / `data-tw-currency`. Defaults `value`, `currency`. */
  valueField?: string;
  currencyField?: string;
}

/**
 * Reads `KitOptions` from the script tag's `data-*` attributes, whose names are
 * the options' names in kebab case (`data-pixel-id` → `pixelId`).
 * `data-load-pixel` is a flag (present and not `"false"`); `data-capture="false"`
 * turns the capture call off.
 */
export function optionsFromScript(script: HTMLOrSVGScriptElement | null): KitOptions {
  const d = script?.dataset || {};
  return {
    ...d,
    cookieDays: +(d.cookieDays as string),
    capture: d.capture !== 'false',
    loadPixel: d.loadPixel != null && d.loadPixel !== 'false',
  } as KitOptions;
}
