/**
 * The 3-legged OAuth flow [SIG] [WC]: `POST /oauth/request_token`,
 * `GET /oauth/authorize` (approves at once and shows a PIN or redirects),
 * `POST /oauth/access_token`. Issued tokens become valid credentials.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { EmulatorContext, Env } from './emulator-context.ts';
import type { OAuthSecrets } from './oauth1-verify.ts';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function mountOAuthFlow(app: Hono<Env>, ctx: EmulatorContext): void {
  const { config, tokens, issued, accessSecrets } = ctx;
  const oauth = ctx.verifyOAuth;
  const requestTokens = new Map<
    string,
    {
      secret: string;
      consumerKey: string;
      callback: string;
      verifier: string | null;
      userId: string | null;
    }
  >();

  const form = (c: Context<Env>, status: 200 | 401 | 400, body: string) =>
    c.body(body, status, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });

  app.post('/oauth/request_token', async (c) => {
    const { result } = await oauth(c, accessSecrets, false);
    if (!result.ok) return form(c, 401, `error=${encodeURIComponent(result.reason)}`);
    const callback = result.oauth.get('oauth_callback');
    if (!callback)
      return form(c, 400, 'error=oauth_callback%20is%20required%20(use%20oob%20for%20PIN)');
    const token = `rt-${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(20).toString('hex');
    requestTokens.set(token, {
      secret,
      consumerKey: result.consumerKey,
      callback,
      verifier: null,
      userId: null,
    });
    return form(
      c,
      200,
      new URLSearchParams({
        oauth_token: token,
        oauth_token_secret: secret,
        oauth_callback_confirmed: 'true',
      }).toString(),
    );
  });

  app.get('/oauth/authorize', (c) => {
    const token = c.req.query('oauth_token') ?? '';
    const pending = requestTokens.get(token);
    if (!pending)
      return c.html(
        '<!doctype html><title>Error</title><p>Invalid or expired request token.</p>',
        400,
      );
    // The configured user approves at once: tests need no clicks.
    pending.userId = config.authorizingUserId;
    pending.verifier = String(randomInt(0, 10_000_000)).padStart(7, '0');
    if (pending.callback !== 'oob') {
      const target = new URL(pending.callback);
      target.searchParams.set('oauth_token', token);
      target.searchParams.set('oauth_verifier', pending.verifier);
      return c.redirect(target.toString(), 302);
    }
    const user = config.users.get(pending.userId);
    return c.html(
      `<!doctype html><html><head><meta charset="utf-8"><title>Authorize app (X emulator)</title></head>` +
        `<body><h1>Authorized</h1><p>@${escapeHtml(user?.screenName ?? '')} approved the app.</p>` +
        `<p>Enter this PIN to complete the authorization:</p><p><code id="oauth_pin">${pending.verifier}</code></p></body></html>`,
    );
  });

  app.post('/oauth/access_token', async (c) => {
    const requestSecrets: OAuthSecrets = {
      consumerSecret: (key) => config.consumers.get(key),
      tokenSecret: (token) => requestTokens.get(token)?.secret,
    };
    const { result, formBody } = await oauth(c, requestSecrets, true);
    if (!result.ok) return form(c, 401, `error=${encodeURIComponent(result.reason)}`);
    const pending = requestTokens.get(result.token as string);
    const fromForm = formBody ? new URLSearchParams(formBody).get('oauth_verifier') : null;
    const verifier =
      result.oauth.get('oauth_verifier') ?? c.req.query('oauth_verifier') ?? fromForm;
    if (!pending || pending.consumerKey !== result.consumerKey) {
      return form(c, 401, 'error=invalid%20request%20token');
    }
    if (!pending.verifier || verifier !== pending.verifier || !pending.userId) {
      return form(c, 401, 'error=invalid%20oauth_verifier');
    }
    requestTokens.delete(result.token as string); // a request token is good for one exchange
    const user = config.users.get(pending.userId);
    const token = `${pending.userId}-${randomBytes(16).toString('hex')}`;
    const secret = randomBytes(24).toString('hex');
    tokens.set(token, { token, secret, userId: pending.userId });
    issued.push({ token, secret, userId: pending.userId });
    return form(
      c,
      200,
      new URLSearchParams({
        oauth_token: token,
        oauth_token_secret: secret,
        user_id: pending.userId,
        screen_name: user?.screenName ?? '',
      }).toString(),
    );
  });
}
