/**
 * ES module entry: `init(options)` and the types. Importing it has no side
 * effects, so server-side rendering can import it safely.
 */
export * from './contract.ts';
export { newConversionId } from './conversion-id.ts';
export { captureUrl, init, type TrackParams, type TwclidKit } from './kit.ts';
export { type KitOptions, optionsFromScript } from './options.ts';
