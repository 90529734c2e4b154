// @vitest-environment node
import { describe, expect, it } from 'vitest';

describe('server-side rendering', () => {
  it('imports and initializes without a document', async () => {
    expect(typeof document).toBe('undefined');
    const { init } = await import('./index.ts');
    const kit = init({ pixelId: 'o8z6j', endpoint: '/tw/events', loadPixel: true });
    expect(kit.track('o87ne')).toMatch(/^[0-9a-f-]{36}$/);
    expect(kit.getClick()).toBeUndefined();
    expect(() => {
      kit.grantConsent();
      kit.revokeConsent();
    }).not.toThrow();
  });

  it('the IIFE entry is harmless without a window', async () => {
    await expect(import('./iife.ts')).resolves.toBeDefined();
    expect((globalThis as { twclidKit?: unknown }).twclidKit).toBeUndefined();
  });
});
