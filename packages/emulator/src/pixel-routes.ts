/**
 * The X Pixel stand-in: `GET /uwt.js` and the collector it reports to. The
 * collector always answers 204 (the page never sees an error); raw email and
 * phone are hashed on arrival and never stored.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { lookupEvent } from './config.ts';
import type { XError } from './conversion-rules.ts';
import type { EmulatorContext, Env } from './emulator-context.ts';
import { hashEmail, hashPhone } from './hash.ts';
import type { NewRecord } from './ledger.ts';
import { PIXEL_COLLECT_PATH, PIXEL_SCRIPT } from './pixel-script.ts';
import { eventError } from './x-response.ts';

const MAX_PIXEL_BODY = 16 * 1024;
/** Same bound as the kit's click IDs (packages/browser/src/contract.ts), restated here on purpose. */
const TWCLID_MAX = 256;

const asString = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== ''
    ? v.trim()
    : typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : null;

export function mountPixel(app: Hono<Env>, ctx: EmulatorContext): void {
  const { config, clock, ledger } = ctx;

  app.get('/uwt.js', (c) =>
    c.body(PIXEL_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
    }),
  );

  app.use(PIXEL_COLLECT_PATH, cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'] }));
  // The Pixel never answers with an error the page could see; problems land in the record.
  const pixelBodyLimit = bodyLimit({
    maxSize: MAX_PIXEL_BODY,
    onError: (c) => {
      ledger.countRequest('pixel');
      return c.body(null, 204);
    },
  });
  app.post(PIXEL_COLLECT_PATH, pixelBodyLimit, async (c) => {
    ledger.countRequest('pixel');
    const text = await c.req.text();
    let hit: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        return c.body(null, 204);
      hit = parsed as Record<string, unknown>;
    } catch {
      return c.body(null, 204);
    }
    const record = buildPixelRecord(c, hit);
    // A valid Pixel conversion takes part in deduplication like a CAPI copy.
    ledger.add(record, clock.now(), record.type === 'conversion' && record.validation.ok);
    return c.body(null, 204);
  });

  const buildPixelRecord = (c: Context<Env>, hit: Record<string, unknown>): NewRecord => {
    const params =
      typeof hit.params === 'object' && hit.params !== null && !Array.isArray(hit.params)
        ? (hit.params as Record<string, unknown>)
        : {};
    const pixelId = asString(hit.pixel_id)?.toLowerCase() ?? null;
    const pixel = pixelId ? config.pixels.get(pixelId) : undefined;
    const type = hit.type === 'config' ? 'page_view' : 'conversion';
    const errors: XError[] = [];
    if (!pixel)
      errors.push({
        code: 'NOT_FOUND',
        message: `Pixel ${pixelId ?? '(none)'} not found`,
        parameter: 'pixel_id',
      });
    const eventSent = asString(hit.event_id);
    let eventKey: string | null = null;
    if (type === 'conversion') {
      if (!eventSent)
        errors.push({
          code: 'MISSING_PARAMETER',
          message: 'event_id is required',
          parameter: 'event_id',
        });
      else if (pixel) {
        const found = lookupEvent(config, pixel, eventSent);
        if (found.ok) eventKey = found.eventId;
        else errors.push(eventError(found.reason, eventSent, pixel));
      }
    }
    const twclidRaw = asString(hit.twclid);
    const twclid = twclidRaw && twclidRaw.length <= TWCLID_MAX ? twclidRaw : null;
    const source = hit.twclid_source;
    const email =
      typeof params.email_address === 'string' ? hashEmail(params.email_address) : undefined;
    const phone =
      typeof params.phone_number === 'string' ? hashPhone(params.phone_number) : undefined;
    const numberItems = params.number_items;
    const record: NewRecord = {
      channel: 'pixel',
      type,
      debugId: randomUUID(),
      httpStatus: 204,
      pixelId,
      accountId: pixel?.accountId ?? null,
      eventId: eventSent,
      eventKey,
      conversionId: type === 'conversion' ? asString(params.conversion_id) : null,
      conversionTime: null,
      twclid,
      twclidSource:
        source === 'url' || source === 'cookie' || source === 'kit_cookie' ? source : null,
      hashedEmail: email ?? null,
      hashedPhoneNumber: phone ?? null,
      ipAddress: clientIp(c),
      userAgent: c.req.header('user-agent') ?? null,
      value: asString(params.value),
      currency: asString(params.currency),
      numberItems:
        typeof numberItems === 'number' && Number.isInteger(numberItems) ? numberItems : null,
      pageUrl: asString(hit.page_url),
      auth: { method: 'none', ok: true },
      validation: { ok: errors.length === 0, errors },
      fault: null,
    };
    return record;
  };

  function clientIp(c: Context<Env>): string | null {
    return c.env?.incoming?.socket?.remoteAddress ?? null;
  }
}
