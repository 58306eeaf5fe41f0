import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { affineParams, type AffineParams } from '../quant/affineParams';
import { chooseParams } from '../quant/clipRange';
import { isMaximised, type FloatValues, type Metrics, type Objective } from '../quant/metrics';
import type { PreparedValues } from '../quant/preparedValues';
import type { SearchBest } from '../report/reportTypes';
import { createRangeMeasurer, settleCloseCalls, type RangeMeasurer } from './fastGridSearch';
import { defaultGrid, gridCandidates, ninesCandidates } from './gridSpec';
import { upperBound } from './rangeEvaluator';

/** The winner of `--method optimal`: a grid search's `best` with the percentiles its ends correspond to. */
export interface OptimalBest extends SearchBest {
  readonly percentile: null;
  /** P with numpy.percentile(x, P) = clipMin under the linear rule (inverse interpolation), 0..100. */
  readonly lowerPercentile: number;
  /** P with numpy.percentile(x, P) = clipMax, 0..100. */
  readonly upperPercentile: number;
  readonly warnings: readonly string[];
}

/** One range the search moved to: its curve. */
export interface OptimalPathPoint {
  readonly clipMin: number;
  readonly clipMax: number;
  readonly lowerPercentile: number;
  readonly upperPercentile: number;
  readonly scale: number;
  readonly zeroPoint: number;
  /** The objective's value there. */
  readonly value: number;
}

/** What `optimalRangeSearch` returns. */
export interface OptimalRangeResult {
  readonly best: OptimalBest;
  readonly path: readonly OptimalPathPoint[];
  /** Clipping ranges measured, seeds included. */
  readonly evaluations: number;
}

/** Options of the optimal range search. */
export interface OptimalRangeOptions {
  /** Extra percentiles to start from (a grid the caller also searched), beside the defaults. */
  readonly seedPercentiles?: readonly number[];
  /** Upper limit on the ranges measured by the pattern search after the seeds. */
  readonly maxEvaluations?: number;
}

/** Ranges the pattern search may measure after its seeds. */
export const defaultMaxEvaluations = 600;
/** The first step of each end, as a fraction of max - min. */
const initialStepFraction = 1 / 64;
/** The search stops when both steps fall below this fraction of max - min. */
const finalStepFraction = 2 ** -36;
/** A move must beat the current value by more than the fast sums' proven error to count. */
const improvementMargin = 1e-12;

/**
 * The clipping range [clipMin, clipMax] that minimises the objective (maximises sqnrDb), both ends free,
 * every range measured exactly by the fast engine (RangeEvaluator, to 1e-13 of the direct pass).
 *
 * Deterministic, so results reproduce: the seeds are min-max, the default grid 99:100:0.01, the nines grid
 * and any `seedPercentiles`, all as percentile ranges; the best seed starts a pattern search over the two
 * ends within [min, max]. Each round tries moving the upper end by ±stepHi, the lower end by ±stepLo, and
 * both (widen, narrow, shift), where the steps start at (max - min)/64; the best move that improves the
 * objective by more than 1e-12 relative is taken and the step of each end it moved doubles; when none
 * improves, both steps halve, until they fall below (max - min)·2^-36 or the evaluation budget is spent.
 * The result is therefore never worse than min-max or any seed grid candidate. The path (the curve) lists
 * the start and every range moved to; the winner's metrics are from the direct pass.
 */
export function optimalRangeSearch(
  prepared: PreparedValues,
  bits: number,
  objective: Objective,
  outlierK: number,
  control: WorkControl = {},
  options: OptimalRangeOptions = {},
): OptimalRangeResult {
  if (control.signal?.aborted) throw new CancelledError();
  const fences = prepared.fences(outlierK);
  const measurer = createRangeMeasurer(prepared, bits, fences, control);
  const sorted = prepared.sorted;
  const sign = isMaximised(objective) ? -1 : 1;
  const budget = options.maxEvaluations ?? defaultMaxEvaluations;
  control.onProgress?.(0.3);

  // Seeds: percentile ranges, settled against the direct pass where they come close.
  const seedSet = new Set<number>([...gridCandidates(defaultGrid), ...ninesCandidates(sorted.length), ...(options.seedPercentiles ?? [])]);
  const seeds = settleCloseCalls(
    [...seedSet].sort((a, b) => a - b).map((percentile) => {
      const params = chooseParams(prepared, { bits, range: 'percentile', percentile });
      return { percentile, params, metrics: measurer.measure(params) };
    }),
    measurer,
    control,
  );
  let current = seeds[0];
  for (const s of seeds) {
    const d = sign * (s.metrics[objective] - current.metrics[objective]);
    if (d < 0 || (d === 0 && s.percentile > current.percentile)) current = s;
  }
  let evaluations = seeds.length;
  let cur = { params: current.params, value: sign * current.metrics[objective] };
  const path: OptimalPathPoint[] = [pathPoint(sorted, cur.params, sign * cur.value)];

  const lo = prepared.min;
  const hi = prepared.max;
  const spread = hi - lo;
  let beta = cur.params.clipMin;
  let alpha = cur.params.clipMax;
  if (spread > 0 && Number.isFinite(spread) && !(cur.params.warnings.length > 0 && alpha === beta)) {
    let stepLo = spread * initialStepFraction;
    let stepHi = stepLo;
    const minStep = spread * finalStepFraction;
    const measure = (b: number, a: number): { params: AffineParams; value: number } | null => {
      if (!(b >= lo && a <= hi && a > b)) return null;
      const params = affineParams(b, a, bits);
      evaluations++;
      return { params, value: sign * measurer.measure(params)[objective] };
    };
    while ((stepLo >= minStep || stepHi >= minStep) && evaluations - seeds.length < budget) {
      if (control.signal?.aborted) throw new CancelledError();
      const moves: [number, number, boolean, boolean][] = [
        [beta, alpha + stepHi, false, true],
        [beta, alpha - stepHi, false, true],
        [beta - stepLo, alpha, true, false],
        [beta + stepLo, alpha, true, false],
        [beta - stepLo, alpha + stepHi, true, true],
        [beta + stepLo, alpha - stepHi, true, true],
        [beta + stepLo, alpha + stepHi, true, true],
        [beta - stepLo, alpha - stepHi, true, true],
      ];
      let bestMove: { params: AffineParams; value: number } | null = null;
      let moved: [boolean, boolean] = [false, false];
      for (const [b, a, movesLo, movesHi] of moves) {
        const m = measure(b, a);
        if (m && m.value < cur.value - improvementMargin * Math.abs(cur.value) && (!bestMove || m.value < bestMove.value)) {
          bestMove = m;
          moved = [movesLo, movesHi];
        }
      }
      if (bestMove) {
        cur = bestMove;
        beta = bestMove.params.clipMin;
        alpha = bestMove.params.clipMax;
        if (moved[0]) stepLo = Math.min(stepLo * 2, spread);
        if (moved[1]) stepHi = Math.min(stepHi * 2, spread);
        path.push(pathPoint(sorted, cur.params, sign * cur.value));
      } else {
        stepLo /= 2;
        stepHi /= 2;
      }
      control.onProgress?.(0.3 + 0.7 * Math.min(1, (evaluations - seeds.length) / budget));
    }
  }
  const metrics: Metrics = measurer.measureDirect(cur.params);
  const p = cur.params;
  return {
    best: {
      percentile: null,
      scale: p.scale,
      zeroPoint: p.zeroPoint,
      clipMin: p.clipMin,
      clipMax: p.clipMax,
      metrics,
      lowerPercentile: percentRank(sorted, p.clipMin),
      upperPercentile: percentRank(sorted, p.clipMax),
      warnings: p.warnings,
    },
    path,
    evaluations,
  };
}

function pathPoint(sorted: FloatValues, p: AffineParams, value: number): OptimalPathPoint {
  return {
    clipMin: p.clipMin,
    clipMax: p.clipMax,
    lowerPercentile: percentRank(sorted, p.clipMin),
    upperPercentile: percentRank(sorted, p.clipMax),
    scale: p.scale,
    zeroPoint: p.zeroPoint,
    value,
  };
}

/**
 * The percentile P whose linear-rule value is c: with i the last index holding a value <= c,
 * P = 100·(i + (c - v[i])/(v[i+1] - v[i]))/(n - 1); 0 below the minimum, 100 from the maximum on.
 */
export function percentRank(sorted: FloatValues, c: number): number {
  const n = sorted.length;
  if (n === 1) return c < sorted[0] ? 0 : 100;
  const i = upperBound(sorted, c, 0, n) - 1;
  if (i < 0) return 0;
  if (i >= n - 1) return 100;
  const t = (c - sorted[i]) / (sorted[i + 1] - sorted[i]);
  return (100 * (i + t)) / (n - 1);
}

/** The measurer type, re-exported for hosts that run several searches on one tensor. */
export type { RangeMeasurer };
