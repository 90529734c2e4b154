import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  isConfigError,
  isTwclidKitError,
  isValidationError,
  TwclidKitError,
  ValidationError,
} from './errors.ts';

describe('error family', () => {
  it('subclasses the base and carries its details', () => {
    const config = new ConfigError('X_PIXEL_ID', 'is required');
    expect(config).toBeInstanceOf(TwclidKitError);
    expect(config).toBeInstanceOf(Error);
    expect(config.name).toBe('ConfigError');
    expect(config.message).toBe('X_PIXEL_ID: is required');
    const validation = new ValidationError([
      { field: 'email', message: 'is empty' },
      { field: 'eventId', message: 'is required' },
    ]);
    expect(validation.message).toBe('Invalid conversion: email: is empty; eventId: is required');
    expect(validation.issues).toHaveLength(2);
  });

  it('guards tell the kinds apart', () => {
    const config = new ConfigError('PORT', 'bad');
    expect(isTwclidKitError(config)).toBe(true);
    expect(isConfigError(config)).toBe(true);
    expect(isValidationError(config)).toBe(false);
    expect(isTwclidKitError(new Error('x'))).toBe(false);
    expect(isConfigError({ name: 'ConfigError' })).toBe(false);
    expect(isTwclidKitError(null)).toBe(false);
  });

  it('guards recognise an error from a duplicated copy of the package (no shared class)', () => {
    // A second bundle has its own classes; only the global-registry brand is shared.
    const brand: unique symbol = Symbol.for('twclid-kit.error') as never;
    class ForeignBase extends Error {
      readonly [brand] = true;
    }
    class ForeignConfigError extends ForeignBase {
      override name = 'ConfigError';
    }
    const foreign = new ForeignConfigError('X_PIXEL_ID: is required');
    expect(foreign instanceof TwclidKitError).toBe(false);
    expect(isTwclidKitError(foreign)).toBe(true);
    expect(isConfigError(foreign)).toBe(true);
  });
});
