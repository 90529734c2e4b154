/**
 * Configuration for the commands: the environment variables of docs/product.md,
 * read through the core's `configFromEnv()` so the CLI accepts and refuses
 * exactly what the server does. Flags override variables by being written
 * over them before the core reads them. Secrets have no flags on purpose:
 * command lines end up in shell history and process lists.
 */

import { configFromEnv, type TwclidKitConfig } from '@twclid-kit/server';
import type { Command } from 'commander';

/** Flag → the variable it overrides. */
export const FLAG_VARIABLES = {
  baseUrl: 'X_ADS_API_BASE_URL',
  apiVersion: 'X_ADS_API_VERSION',
  pixelId: 'X_PIXEL_ID',
  accountId: 'X_AD_ACCOUNT_ID',
  db: 'TWCLID_KIT_DB',
} as const;

export type ConfigFlags = Partial<Record<keyof typeof FLAG_VARIABLES, string>>;

/** Adds the flags that override the X connection variables. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      '--base-url <url>',
      'Ads API base URL (env X_ADS_API_BASE_URL, default https://ads-api.x.com)',
    )
    .option('--api-version <n>', 'Ads API version (env X_ADS_API_VERSION, default 12)')
    .option('--pixel-id <id>', 'pixel ID (env X_PIXEL_ID)')
    .option('--account-id <id>', 'ad account ID (env X_AD_ACCOUNT_ID)');
}

export function envWithFlags(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [flag, variable] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag as keyof ConfigFlags];
    if (value !== undefined) merged[variable] = value;
  }
  return merged;
}

/** The checked configuration; throws the core's `ConfigError` naming the variable. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags,
): TwclidKitConfig {
  return configFromEnv(envWithFlags(env, flags));
}

/** The flag that overrides a variable, for error hints (`X_PIXEL_ID` → `--pixel-id`). */
export function flagFor(variable: string): string | undefined {
  const entry = Object.entries(FLAG_VARIABLES).find(([, v]) => v === variable);
  return entry ? `--${entry[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : undefined;
}
