/**
 * `GET /:version/accounts/:account_id` (the account and its time zone) and
 * its web event tags (docs/x-api.md §9). A tag is one configured event of the
 * account's pixels; it is UNVERIFIED until the emulator accepted a conversion
 * for it, then TRACKING with `last_tracked_at` the latest accepted copy.
 */
import type { Hono } from 'hono';
import type { ResolvedEvent } from '../config.ts';
import type { EmulatorContext, Env } from '../emulator-context.ts';
import { xError } from '../x-response.ts';
import { authorizeRead } from './read-auth.ts';

/** Most ids one `web_event_tag_ids` filter may name (docs/x-api.md §9). */
const MAX_TAG_IDS = 200;

export interface TagView {
  id: string;
  name: string;
  type: string;
  status: 'TRACKING' | 'UNVERIFIED';
  last_tracked_at: string | null;
  click_window: number;
  view_through_window: number;
  retargeting_enabled: boolean;
  website_tag_id: string;
  deleted: boolean;
  created_at: string;
  updated_at: string;
}

/** Every tag of an account, deleted ones included, as X would show them now. */
export function accountTags(ctx: EmulatorContext, accountId: string, createdAt: string) {
  const tags: TagView[] = [];
  for (const pixel of ctx.config.pixels.values()) {
    if (pixel.accountId !== accountId) continue;
    for (const event of pixel.events.values()) {
      tags.push(tagView(ctx, pixel.id, event as ResolvedEvent, createdAt));
    }
  }
  return tags;
}

function tagView(ctx: EmulatorContext, pixelId: string, e: ResolvedEvent, createdAt: string) {
  const last = ctx.ledger.lastTracked(pixelId, e.id);
  const lastIso = last === null ? null : new Date(last).toISOString();
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    status: last === null ? 'UNVERIFIED' : 'TRACKING',
    last_tracked_at: lastIso,
    click_window: e.clickWindow,
    view_through_window: e.viewThroughWindow,
    retargeting_enabled: false,
    website_tag_id: pixelId,
    deleted: e.deleted,
    created_at: createdAt,
    updated_at: lastIso ?? createdAt,
  } satisfies TagView;
}

export function mountTags(app: Hono<Env>, ctx: EmulatorContext): void {
  const createdAt = new Date(ctx.clock.now()).toISOString();

  app.get('/:version{[0-9]+}/accounts/:accountId', async (c) => {
    const accountId = c.req.param('accountId');
    const params = { account_id: accountId };
    const access = await authorizeRead(c, ctx, accountId, params, 'read');
    if (!access.ok) return access.response;
    const account = ctx.config.accountsById.get(accountId);
    return c.json({
      data: {
        id: accountId,
        name: account?.name,
        timezone: account?.timezone,
        timezone_switch_at: createdAt,
        approval_status: 'ACCEPTED',
        deleted: false,
        created_at: createdAt,
        updated_at: createdAt,
      },
      request: { params },
    });
  });

  app.get('/:version{[0-9]+}/accounts/:accountId/web_event_tags', async (c) => {
    const accountId = c.req.param('accountId');
    const idsParam = c.req.query('web_event_tag_ids');
    const withDeleted = c.req.query('with_deleted');
    const params: Record<string, string> = { account_id: accountId };
    if (idsParam !== undefined) params.web_event_tag_ids = idsParam;
    if (withDeleted !== undefined) params.with_deleted = withDeleted;
    const access = await authorizeRead(c, ctx, accountId, params, 'read');
    if (!access.ok) return access.response;
    if (withDeleted !== undefined && withDeleted !== 'true' && withDeleted !== 'false') {
      return xError(
        c,
        400,
        [
          {
            code: 'INVALID_PARAMETER',
            message: 'with_deleted must be true or false',
            parameter: 'with_deleted',
          },
        ],
        params,
      );
    }
    const ids = idsParam?.split(',').map((s) => s.trim().toLowerCase());
    if (ids && (ids.length > MAX_TAG_IDS || ids.some((id) => id === ''))) {
      const message = `web_event_tag_ids must list 1 to ${MAX_TAG_IDS} ids separated by commas`;
      return xError(
        c,
        400,
        [{ code: 'INVALID_PARAMETER', message, parameter: 'web_event_tag_ids' }],
        params,
      );
    }
    const data = accountTags(ctx, accountId, createdAt).filter(
      (t) => (withDeleted === 'true' || !t.deleted) && (!ids || ids.includes(t.id)),
    );
    return c.json({ data, next_cursor: null, request: { params } });
  });

  app.get('/:version{[0-9]+}/accounts/:accountId/web_event_tags/:tagId', async (c) => {
    const accountId = c.req.param('accountId');
    const tagId = c.req.param('tagId');
    const params = { account_id: accountId, web_event_tag_id: tagId };
    const access = await authorizeRead(c, ctx, accountId, params, 'read');
    if (!access.ok) return access.response;
    const tag = accountTags(ctx, accountId, createdAt).find((t) => t.id === tagId.toLowerCase());
    if (!tag) {
      const message = `Web event tag ${tagId} not found in ad account ${accountId}`;
      return xError(
        c,
        404,
        [{ code: 'NOT_FOUND', message, parameter: 'web_event_tag_id' }],
        params,
      );
    }
    return c.json({ data: tag, request: { params } });
  });
}
