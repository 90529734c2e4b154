/**
 * POSTs a JSON body that must survive page unload: `fetch` with `keepalive`
 * (sent as `application/json`), falling back to `navigator.sendBeacon` when
 * fetch is missing, refuses (keepalive bodies are capped at 64 KB) or fails.
 * A beacon's string body goes as `text/plain`, a CORS-safelisted type, so it
 * needs no preflight; the server accepts the JSON under either type.
 */
export function sendJson(url: string, body: unknown): void {
  const data = JSON.stringify(body);
  const beacon = () => {
    navigator.sendBeacon?.(url, data);
  };
  try {
    fetch(url, {
      method: 'POST',
      keepalive: true,
      headers: { 'content-type': 'application/json' },
      body: data,
    }).catch(beacon);
  } catch {
    beacon();
  }
}
