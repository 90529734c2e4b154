import type { DayView, XCountedView } from '../shared/dashboard-view.ts';
import { CAPI_COLOR, PIXEL_COLOR } from './events-chart.tsx';

const WIDTH = 1000;
const HEIGHT = 150;
const PAD = { top: 12, right: 8, bottom: 24, left: 28 };
export const SENT_COLOR = CAPI_COLOR;
export const ATTRIBUTED_COLOR = PIXEL_COLOR;

/** Sent by the kit vs attributed by X, per day: grouped bars in inline SVG. */
export function SentAttributedChart({ days }: { days: readonly DayView[] }) {
  const max = Math.max(1, ...days.map((d) => Math.max(d.delivered, d.attributed)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.3);
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="Conversions sent by the kit and attributed by X per day"
      data-testid="sent-attributed-chart"
    >
      <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} stroke="#e4e4e7" />
      <text x={PAD.left - 6} y={y(max) + 4} text-anchor="end" font-size="12" fill="#71717a">
        {max}
      </text>
      {days.map((d, i) => {
        const x = PAD.left + i * slot + slot / 2;
        return (
          <g data-day={d.day} data-sent={d.delivered} data-attributed={d.attributed}>
            <rect
              x={x - bar}
              y={y(d.delivered)}
              width={bar}
              height={y(0) - y(d.delivered)}
              fill={SENT_COLOR}
            />
            <rect
              x={x}
              y={y(d.attributed)}
              width={bar}
              height={y(0) - y(d.attributed)}
              fill={ATTRIBUTED_COLOR}
            />
            <text x={x} y={HEIGHT - 6} text-anchor="middle" font-size="12" fill="#71717a">
              {d.day.slice(5)}
              {d.provisional ? '*' : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** "Did X count it?": each tag's status next to the kit's deliveries, and the daily chart. */
export function XCountedPanel({
  view,
  error,
}: {
  view: XCountedView | undefined;
  error: string | undefined;
}) {
  return (
    <div class="card" data-region="x-counted">
      {error ? (
        <p class="muted" data-testid="x-counted-error">
          {error}
        </p>
      ) : null}
      {view ? (
        <>
          <table data-testid="tag-status">
            <thead>
              <tr>
                <th>Tag</th>
                <th>Status at X</th>
                <th>Last tracked</th>
                <th>Sent by the kit</th>
              </tr>
            </thead>
            <tbody>
              {view.tags.map((t) => (
                <tr data-tag={t.id} data-status={t.status}>
                  <td>
                    <code>{t.id}</code> {t.name ?? ''}
                  </td>
                  <td>
                    {t.status}
                    {t.flags.length > 0 ? (
                      <div class="muted small">{t.flags.join('; ')}</div>
                    ) : null}
                  </td>
                  <td class="mono small">{t.lastTrackedAt ?? 'never'}</td>
                  <td>{t.delivered}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="legend" style="margin-top:.75rem">
            <span>
              <i style={`background:${SENT_COLOR}`} />
              sent (X acknowledged)
            </span>
            <span>
              <i style={`background:${ATTRIBUTED_COLOR}`} />
              attributed by X
            </span>
            <span class="muted small">days in {view.timezone}; * provisional</span>
          </div>
          <SentAttributedChart days={view.days} />
          {view.notes.map((n) => (
            <p class="muted small">{n}</p>
          ))}
        </>
      ) : error ? null : (
        <p class="muted">Reading the tags and X's stats…</p>
      )}
    </div>
  );
}
