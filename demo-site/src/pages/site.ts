/** What every page needs to know about the running demo (resolved once at start-up). */
export interface SiteConfig {
  /** X Pixel (event source) ID, e.g. `o8z6j`. */
  pixelId: string;
  /** The event IDs each flow converts on (short form, e.g. `o87ne`). */
  events: { purchase: string; lead: string; signup: string };
  /** Where the Pixel base code loads uwt.js from: the emulator's copy in the demo. */
  pixelSrc: string;
  /** Where the kit's route is mounted (`/tw`); the script posts to `<mount>/events`. */
  kitMount: string;
  /** The emulator's base URL when the demo runs against it (enables the dashboard's X panels). */
  emulatorUrl?: string;
}

/** The pages of the demo, in navigation order. */
export const NAV = [
  { path: '/', label: 'Home' },
  { path: '/shop/grinder', label: 'Shop (flow A)' },
  { path: '/wholesale', label: 'Wholesale (flow B)' },
  { path: '/club', label: 'Coffee Club (flow C)' },
  { path: '/dashboard', label: 'Dashboard' },
] as const;
