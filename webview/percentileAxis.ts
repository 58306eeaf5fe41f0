import { formatPercentile } from './format';

/** How the error curve places percentiles along its x axis. */
export interface PercentileAxis {
  /** True when the axis is logarithmic in the tail 100 - P (grids spanning decades of it, as nines). */
  readonly log: boolean;
  /** Where percentile P sits on the axis. */
  toX(p: number): number;
  /** The axis settings beyond the theme's (its type, range and tick labels, which read as P). */
  readonly extra: Record<string, unknown> & { ticks: Record<string, unknown> };
  /** How the axis reads, for the chart's description. */
  readonly scaleText: string;
}

/** Tails (100 - P) this many times apart make a linear P axis useless: the small ones pile up at 100. */
const logSpan = 100;

/**
 * The x axis for an error curve over percentiles `ps`. A grid whose tails 100 - P span two decades or
 * more, spread over them rather than crowded in the largest (nines: 1, 0.1, 0.01, …), is drawn on a
 * reversed log axis of the tail, so that every candidate has room and P still grows to the right;
 * P = 100 (no tail) sits a decade beyond the smallest tail and is labelled 100. Other grids keep a
 * linear axis of P.
 */
export function percentileAxis(ps: readonly number[]): PercentileAxis {
  const tails = ps.filter((p) => p < 100).map((p) => 100 - p);
  // Loops, not Math.min(...): a grid may hold 100 000 candidates, and a spread call's arguments live on
  // the stack.
  const smallest = tails.reduce((a, b) => Math.min(a, b), Infinity);
  const largest = tails.reduce((a, b) => Math.max(a, b), -Infinity);
  // Geometric grids only: a plain grid (99:100:0.01) has most of its tails in the top decade, and reads
  // best in P itself.
  const inTopDecade = tails.filter((t) => t > largest / 10).length;
  if (tails.length < 2 || !(largest / smallest >= logSpan) || inTopDecade * 2 > tails.length) {
    const first = ps.reduce((a, b) => Math.min(a, b), Infinity);
    const last = ps.reduce((a, b) => Math.max(a, b), -Infinity);
    const pad = first === last ? 0.5 : 0;
    return {
      log: false,
      toX: (p) => p,
      extra: {
        ...(ps.length > 0 ? { min: first - pad, max: last + pad } : {}),
        ticks: { callback: (v: number | string) => formatPercentile(Number(v)) },
      },
      scaleText: 'linear in P',
    };
  }
  const floor = smallest / 10;
  const isFloor = (x: number) => Math.abs(x - floor) <= floor * 1e-9;
  return {
    log: true,
    toX: (p) => (p >= 100 ? floor : Math.max(100 - p, floor)),
    extra: {
      type: 'logarithmic',
      reverse: true,
      min: floor / 2,
      max: largest * 2,
      ticks: {
        // Powers of ten read as the percentile they stand for; the floor, as 100.
        callback: (v: number | string) => {
          const x = Number(v);
          if (isFloor(x)) return '100';
          const log = Math.log10(x);
          return x > floor && Math.abs(log - Math.round(log)) < 1e-9 ? formatPercentile(100 - x) : null;
        },
        autoSkip: false,
        maxTicksLimit: 40,
      },
    },
    scaleText: 'log scale of 100 − P',
  };
}
