import type { Bucket } from '../shared/timeline.ts';

export interface EventsChartProps {
  buckets: readonly Bucket[];
  /** Formats a slot's start time for the axis. */
  label: (epochMs: number) => string;
}

const WIDTH = 1000;
const HEIGHT = 170;
const PAD = { top: 12, right: 8, bottom: 24, left: 28 };
export const PIXEL_COLOR = '#4f46e5';
export const CAPI_COLOR = '#a1a1aa';
export const FAULT_COLOR = '#ef4444';

const SERIES = [
  { key: 'pixel', color: PIXEL_COLOR, label: 'Pixel' },
  { key: 'capi', color: CAPI_COLOR, label: 'CAPI' },
  { key: 'fault', color: FAULT_COLOR, label: 'CAPI answered with a fault' },
] as const;

/**
 * Pixel copies, CAPI copies and faulted CAPI requests per time slot as grouped
 * bars: inline SVG, no chart library. Equal Pixel and CAPI bars are what
 * "counted once" looks like; red bars are attempts the outbox retried.
 */
export function EventsChart({ buckets, label }: EventsChartProps) {
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.pixel, b.capi, b.fault)));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const bar = Math.max(1, slot * 0.28);
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const first = buckets[0];
  const last = buckets.at(-1);
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="Pixel and Conversion API events over time"
      data-testid="events-chart"
    >
      <line
        x1={PAD.left}
        x2={WIDTH - PAD.right}
        y1={y(0)}
        y2={y(0)}
        stroke="#e4e4e7"
        stroke-width="1"
      />
      <line
        x1={PAD.left}
        x2={WIDTH - PAD.right}
        y1={y(max)}
        y2={y(max)}
        stroke="#f4f4f5"
        stroke-width="1"
      />
      <text x={PAD.left - 6} y={y(max) + 4} text-anchor="end" font-size="12" fill="#71717a">
        {max}
      </text>
      <text x={PAD.left - 6} y={y(0) + 4} text-anchor="end" font-size="12" fill="#71717a">
        0
      </text>
      {buckets.map((b, i) => {
        const x0 = PAD.left + i * slot + (slot - SERIES.length * bar) / 2;
        return (
          <g>
            {SERIES.map((series, j) =>
              b[series.key] > 0 ? (
                <rect
                  x={x0 + j * bar}
                  y={y(b[series.key])}
                  width={bar}
                  height={y(0) - y(b[series.key])}
                  rx="1.5"
                  fill={series.color}
                >
                  <title>{`${b[series.key]} ${series.label}`}</title>
                </rect>
              ) : null,
            )}
          </g>
        );
      })}
      {first ? (
        <text x={PAD.left} y={HEIGHT - 6} font-size="12" fill="#71717a">
          {label(first.start)}
        </text>
      ) : null}
      {last ? (
        <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end" font-size="12" fill="#71717a">
          {label(last.start)}
        </text>
      ) : null}
    </svg>
  );
}
