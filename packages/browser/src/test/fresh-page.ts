import Cookies from 'js-cookie';
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Gives every test a clean page in the shared happy-dom window: no cookies, no
 * localStorage, no `twq`, a fresh body, and none of the listeners, observers or
 * history patches an earlier `init()` left behind.
 */
export function useFreshPage(): {
  fetch: ReturnType<typeof vi.fn>;
  beacon: ReturnType<typeof vi.fn>;
} {
  const mocks = { fetch: vi.fn(), beacon: vi.fn() };
  const undo: (() => void)[] = [];

  beforeEach(() => {
    for (const name of Object.keys(Cookies.get())) Cookies.remove(name, { path: '/' });
    localStorage.clear();
    delete (window as { twq?: unknown }).twq;
    document.head.innerHTML = '';
    document.body.innerHTML = '';
    window.history.replaceState(null, '', '/');

    const { pushState, replaceState } = window.history;
    undo.push(() => Object.assign(window.history, { pushState, replaceState }));
    for (const target of [document, window] as EventTarget[]) {
      const add = vi.spyOn(target, 'addEventListener');
      undo.push(() => {
        for (const [type, listener, options] of add.mock.calls)
          target.removeEventListener(type, listener, options);
        add.mockRestore();
      });
    }
    const observe = vi.spyOn(MutationObserver.prototype, 'observe');
    undo.push(() => {
      for (const observer of observe.mock.contexts) (observer as MutationObserver).disconnect();
      observe.mockRestore();
    });

    // Work the kit defers to idle time stays in the test that scheduled it.
    const idle = new Set<ReturnType<typeof setTimeout>>();
    vi.stubGlobal('requestIdleCallback', (f: () => void) => {
      const id = setTimeout(() => {
        idle.delete(id);
        f();
      });
      idle.add(id);
      return id;
    });
    undo.push(() => {
      for (const id of idle) clearTimeout(id);
    });

    mocks.fetch.mockReset().mockResolvedValue(new Response(null, { status: 204 }));
    mocks.beacon.mockReset().mockReturnValue(true);
    vi.stubGlobal('fetch', mocks.fetch);
    Object.defineProperty(navigator, 'sendBeacon', { value: mocks.beacon, configurable: true });
    Object.defineProperty(navigator, 'globalPrivacyControl', {
      value: undefined,
      configurable: true,
    });
  });

  afterEach(() => {
    for (const f of undo.splice(0).reverse()) f();
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  return mocks;
}

/** The JSON bodies posted with fetch, by URL. */
export const posted = (fetch: ReturnType<typeof vi.fn>) =>
  fetch.mock.calls.map(([url, init]) => ({
    url: String(url),
    init: init as RequestInit,
    body: JSON.parse((init as RequestInit).body as string),
  }));

/** The calls made to `window.twq` (queued by the stub). */
export const twqCalls = () =>
  ((window as { twq?: { queue?: IArguments[] } }).twq?.queue ?? []).map((args) => [...args]);
