import type { ConversionRow, CopyView, DashboardView, Verdict } from '../shared/dashboard-view.ts';
import { CAPI_COLOR, EventsChart, FAULT_COLOR, PIXEL_COLOR } from './events-chart.tsx';
import { Layout } from './layout.tsx';
import type { SiteConfig } from './site.ts';
import { XCountedPanel } from './x-counted.tsx';

/** The fault-injection presets the switch offers (share of Ads API requests answered 5xx). */
export const FAULT_PRESETS = [
  { rate: 0, label: 'Off' },
  { rate: 0.5, label: '50% 5xx' },
  { rate: 1, label: 'X is down' },
] as const;

const VERDICTS: Record<Verdict, { label: string; tone: string; help: string }> = {
  counted_once: {
    label: 'counted once',
    tone: 'ok',
    help: 'The Pixel and CAPI copies shared the conversion_id: X counted one conversion.',
  },
  unmatched: {
    label: 'unmatched',
    tone: 'warn',
    help: 'Only one channel has sent this conversion so far.',
  },
  no_conversion_id: {
    label: 'no conversion_id',
    tone: 'bad',
    help: 'Without a conversion_id X cannot deduplicate: every copy counts.',
  },
};

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const ago = (ms: number) =>
  ms < 1000
    ? 'just now'
    : ms < 60_000
      ? `${Math.round(ms / 1000)} s ago`
      : `${Math.round(ms / 60_000)} min ago`;
const short = (value: string | undefined, n = 12) =>
  value && value.length > n ? `${value.slice(0, n)}…` : value;

function Stat({ label, value, testid }: { label: string; value: string | number; testid: string }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value" data-testid={testid}>
        {value}
      </div>
    </div>
  );
}

function Copy({ copy }: { copy: CopyView | undefined }) {
  if (!copy) return <span class="copy none">not received</span>;
  return (
    <span class="copy">
      <span>
        {time(copy.at)}{' '}
        <span class="muted small" data-testid="copy-status">
          {copy.status}
        </span>
        {copy.copies > 1 ? <span class="badge warn">{` ×${copy.copies}`}</span> : null}
      </span>
      <span class="muted">
        twclid <code title={copy.twclid}>{short(copy.twclid) ?? '—'}</code>
      </span>
      {copy.hashedEmail ? (
        <span class="muted">
          email <code title={copy.hashedEmail}>{short(copy.hashedEmail, 10)}</code>
        </span>
      ) : null}
    </span>
  );
}

function ConversionsTable({ rows }: { rows: readonly ConversionRow[] }) {
  if (rows.length === 0) {
    return (
      <div class="empty">
        No conversions yet. <a href="/shop/grinder">Buy the grinder</a>,{' '}
        <a href="/wholesale">ask for wholesale prices</a> or <a href="/club">join the club</a>.
      </div>
    );
  }
  return (
    <table data-testid="conversions">
      <thead>
        <tr>
          <th>Event</th>
          <th>conversion_id</th>
          <th>
            <i class="swatch" style={`background:${PIXEL_COLOR}`} /> Pixel copy
          </th>
          <th>CAPI copy</th>
          <th>X's verdict</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const verdict = VERDICTS[row.verdict];
          return (
            <tr data-conversion-id={row.conversionId ?? ''}>
              <td>
                <strong>{row.eventName ?? row.eventId}</strong>
                <div class="muted mono">{row.eventId}</div>
              </td>
              <td>
                <code class="truncate" title={row.conversionId}>
                  {row.conversionId ?? '—'}
                </code>
              </td>
              <td>
                <Copy copy={row.pixel} />
              </td>
              <td>
                <Copy copy={row.capi} />
              </td>
              <td>
                <span class={`badge ${verdict.tone}`} title={verdict.help} data-testid="verdict">
                  {verdict.label}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The kit's outbox and delivery figures, or why the kit is not reporting. */
function OutboxCard({ view }: { view: DashboardView }) {
  const { outbox } = view;
  return (
    <div class="card" data-testid="outbox" data-region="outbox">
      <h2>Outbox and delivery</h2>
      {outbox ? (
        <table>
          <tbody>
            <tr>
              <td>Pending / in flight</td>
              <td>
                {outbox.pending} / {outbox.inFlight}
                {outbox.oldestPendingAgeMs ? (
                  <span class="muted"> · oldest {ago(outbox.oldestPendingAgeMs)}</span>
                ) : null}
              </td>
            </tr>
            <tr>
              <td>Delivered</td>
              <td data-testid="delivered">{outbox.delivered}</td>
            </tr>
            <tr>
              <td>Dead letters</td>
              <td>
                {outbox.dead > 0 ? <span class="badge bad">{outbox.dead}</span> : outbox.dead}
              </td>
            </tr>
            {outbox.suppressed !== undefined ? (
              <tr>
                <td>Suppressed (GPC / opt-out)</td>
                <td>{outbox.suppressed}</td>
              </tr>
            ) : null}
            {outbox.batches !== undefined ? (
              <tr>
                <td>Batches sent / retried</td>
                <td data-testid="retries">
                  {outbox.batches} / {outbox.retries ?? 0}
                </td>
              </tr>
            ) : null}
            <tr>
              <td>Recent debug_ids</td>
              <td>
                {outbox.debugIds.length ? (
                  outbox.debugIds.map((id) => (
                    <div>
                      <code>{id}</code>
                    </div>
                  ))
                ) : (
                  <span class="muted">none yet</span>
                )}
              </td>
            </tr>
            {outbox.pausedAccounts.length ? (
              <tr>
                <td>Paused accounts</td>
                <td>
                  <span class="badge bad">{outbox.pausedAccounts.join(', ')}</span>
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      ) : (
        <p class="muted">{view.outboxError ?? 'The kit is not reporting.'}</p>
      )}
    </div>
  );
}

/** The switch that makes the emulated X answer with faults, and what it answered. */
function FaultsCard({ emulator }: { emulator: DashboardView['emulator'] }) {
  return (
    <div class="card" data-testid="faults">
      <h2>Fault injection</h2>
      {emulator ? (
        <>
          <p class="muted small">
            Make the emulated X answer Conversion API requests with 500/503. The outbox keeps the
            events and retries with backoff; once X answers again every conversion still counts
            once.
          </p>
          <form id="faults-form" class="toggle" data-region="fault-switch">
            {FAULT_PRESETS.map((preset) => (
              <button
                type="submit"
                name="rate"
                value={String(preset.rate)}
                class={Math.abs(emulator.serverErrorRate - preset.rate) < 1e-9 ? '' : 'secondary'}
                aria-pressed={
                  Math.abs(emulator.serverErrorRate - preset.rate) < 1e-9 ? 'true' : 'false'
                }
              >
                {preset.label}
              </button>
            ))}
          </form>
          <table style="margin-top:.75rem" data-region="fault-counts">
            <tbody>
              <tr>
                <td>Conversion API requests</td>
                <td>{emulator.totals.capiRequests}</td>
              </tr>
              <tr>
                <td>answered with a fault (then retried)</td>
                <td data-testid="faulted">{emulator.totals.faulted}</td>
              </tr>
            </tbody>
          </table>
        </>
      ) : (
        <p class="muted">The demo is talking to a real X endpoint: no faults to inject.</p>
      )}
    </div>
  );
}

/** The panels `/dashboard/live` re-renders on every poll. */
export function DashboardPanels({ view }: { view: DashboardView }) {
  const { emulator, outbox, click } = view;
  return (
    <div>
      <div class="grid four" data-region="stats">
        <div class="card stat">
          <div class="label">Your click ID</div>
          <div class="value mono" style="font-size:1rem;padding-top:.45rem" data-testid="click-id">
            {click ? short(click.twclid, 18) : 'none'}
          </div>
          <div class="muted small">
            {click ? (
              `captured ${ago(view.now - click.clickedAt)}`
            ) : (
              <a href="/ad-click">simulate an ad click</a>
            )}
          </div>
        </div>
        <Stat label="Counted by X" value={emulator?.totals.counted ?? '—'} testid="counted" />
        <Stat
          label="Duplicates removed"
          value={emulator?.totals.deduplicated ?? '—'}
          testid="deduplicated"
        />
        <Stat
          label="Outbox pending"
          value={outbox ? outbox.pending + outbox.inFlight : '—'}
          testid="pending"
        />
      </div>

      <div class="section-title">
        <h2>Events reaching X</h2>
        <span class="legend">
          <span>
            <i style={`background:${PIXEL_COLOR}`} />
            Pixel
          </span>
          <span>
            <i style={`background:${CAPI_COLOR}`} />
            Conversion API
          </span>
          <span>
            <i style={`background:${FAULT_COLOR}`} />
            retried after a fault
          </span>
          <span>per 10 s, last 5 min</span>
        </span>
      </div>
      <div class="card chart" data-region="chart">
        <EventsChart buckets={view.buckets} label={time} />
      </div>

      <div class="grid two" style="margin-top:1rem">
        <OutboxCard view={view} />
        <FaultsCard emulator={emulator} />
      </div>
      <div class="section-title">
        <h2>Conversions</h2>
        <span class="muted small">grouped by event and conversion_id, newest first</span>
      </div>
      <div class="card" data-region="conversions">
        {view.emulatorError ? <p class="muted">{view.emulatorError}</p> : null}
        <ConversionsTable rows={view.conversions} />
      </div>

      <div class="section-title">
        <h2>Did X count it?</h2>
        <span class="muted small">
          tags and sent vs attributed, as `twclid-kit tags` and `report` show them
        </span>
      </div>
      <XCountedPanel view={view.xCounted} error={view.xCountedError} />
    </div>
  );
}

export interface DashboardProps {
  site: SiteConfig;
  twclid: string | undefined;
  view: DashboardView;
}

/** `/dashboard`: the first render is complete; `dashboard.ts` then refreshes `#live`. */
export function DashboardPage({ site, twclid, view }: DashboardProps) {
  return (
    <Layout site={site} title="Dashboard" path="/dashboard" twclid={twclid} script="dashboard">
      <div class="section-title" style="margin-top:0">
        <div>
          <div class="eyebrow">Live · refreshes every second</div>
          <h1>What X saw</h1>
        </div>
        <span class="muted small">
          {site.emulatorUrl ? (
            <>
              X emulator at <code>{site.emulatorUrl}</code>
            </>
          ) : (
            'real X Ads API'
          )}
        </span>
      </div>
      <div id="live">
        <DashboardPanels view={view} />
      </div>
    </Layout>
  );
}
