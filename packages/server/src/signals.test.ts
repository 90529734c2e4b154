import { describe, expect, it, vi } from 'vitest';
import { installSignalHandlers } from './signals.ts';

describe('installSignalHandlers', () => {
  it('on the signal closes the server, shuts the kit down within the bound, once', async () => {
    const shutdown = vi.fn(async () => ({ drained: true }));
    const close = vi.fn();
    const done = vi.fn();
    const uninstall = installSignalHandlers(
      { shutdown },
      {
        signals: ['SIGUSR2'],
        timeoutMs: 1234,
        server: { close },
        exit: false,
        onDone: done,
      },
    );
    process.emit('SIGUSR2');
    process.emit('SIGUSR2');
    await vi.waitFor(() => expect(done).toHaveBeenCalledWith({ drained: true }));
    expect(close).toHaveBeenCalledTimes(1);
    expect(shutdown).toHaveBeenCalledTimes(1);
    expect(shutdown).toHaveBeenCalledWith({ timeoutMs: 1234 });
    uninstall();
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('exits the process when done (default)', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      const uninstall = installSignalHandlers(
        { shutdown: async () => ({ drained: false }) },
        { signals: ['SIGUSR2'] },
      );
      process.emit('SIGUSR2');
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
      uninstall();
    } finally {
      exit.mockRestore();
    }
  });
});
