import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { checkBits, type AffineParams } from '../quant/affineParams';
import { chooseParams } from '../quant/clipRange';
import { measureDirect, type Metrics } from '../quant/metrics';
import type { OutlierFences, PreparedValues } from '../quant/preparedValues';
import type { EvaluatedCandidate } from './candidate';
import { acceptedRelativeError, RangeEvaluator } from './rangeEvaluator';
import { bucketedMeasureApplies, measureBucketed } from './bucketedMeasure';
import { bucketedValuesOf } from './bucketedValues';
import { measureHelperOf, measureShared } from './sharedMeasure';
import { hasSortedIndex, sortedIndexOf } from './sortedIndex';

/**
 * Block sums pay only when runs of one code are long: below this many values per code level
 * (n / 2^bits) each candidate is summed value by value over the sorted runs, which costs about a tenth
 * of a direct pass (no division or rounding per value). Measured here: at 10^6 values blocks take
 * 0.2 ms per candidate at 8 bits (3900 per level) against 1.2 ms value by value, and break even near
 * 1000 per level.
 */
export const blockCrossover = 1000;
/**
 * Below this many values per code level the direct pass itself is cheapest: the per-run searches
 * outweigh the savings (measured: 6 per level, 1.5 ms sorted runs against 1.0 ms direct at 10^5; 15 per
 * level, 10.5 against 11.6 ms at 10^6).
 */
export const directCrossover = 16;
/** Share of the progress bar given to sorting and building the block sums. */
const preparationShare = 0.3;

/** How one search measures its candidates; built once per tensor, bit width and fences. */
export interface RangeMeasurer {
  /** Metrics of one clipping range, equal to measureDirect's to 1e-13 relative (maxAbsError and counts exactly). */
  measure(params: AffineParams): Metrics;
  /** The direct pass, for candidates whose ranking is too close to call from the fast sums. */
  measureDirect(params: AffineParams): Metrics;
  /** Measures many ranges, with a helper thread when the host gave one for this tensor (sharedMeasure). */
  measureAll(params: readonly AffineParams[], control?: WorkControl): Metrics[];
  /** True when `measure` is the direct pass itself: close calls need no second look. */
  readonly isDirect: boolean;
}

/** A measurer that takes the direct pass for every range. */
function directMeasurer(direct: (p: AffineParams) => Metrics): RangeMeasurer {
  return { measure: direct, measureDirect: direct, measureAll: (params, c) => measureShared(undefined, undefined, false, params, direct, undefined, c), isDirect: true };
}

/** Sorts (once per tensor), builds block sums and returns a measurer for this bit width and these fences. */
export function createRangeMeasurer(prepared: PreparedValues, bits: number, fences: OutlierFences, control: WorkControl = {}): RangeMeasurer {
  checkBits(bits);
  const direct = (p: AffineParams) => measureDirect(prepared.finite, p, fences);
  // The direct pass needs only the sort (for the percentiles), not the block sums.
  const perLevel = prepared.count / 2 ** bits;
  if (perLevel < directCrossover) {
    prepared.sortWith(control);
    return directMeasurer(direct);
  }
  const index = sortedIndexOf(prepared, control);
  // Magnitudes whose squares near overflow: the direct pass, which rescales when a sum overflows.
  if (!index.isSafe) return directMeasurer(direct);
  const evaluator = new RangeEvaluator(index, fences, prepared.finite);
  const useBlocks = perLevel >= blockCrossover;
  const measure = (p: AffineParams) => evaluator.measure(p, useBlocks);
  const helper = measureHelperOf(prepared);
  return { measure, measureDirect: direct, measureAll: (params, c) => measureShared(index, fences, useBlocks, params, measure, helper, c), isDirect: false };
}

/**
 * The measurer of a grid of `ranges` ranges: bucket by bucket for a streamed tensor left in buckets, when
 * the grid's threshold keys stay few (measureBucketed, no sort at all) and nothing has sorted it yet,
 * else createRangeMeasurer's.
 */
function createGridMeasurer(prepared: PreparedValues, bits: number, fences: OutlierFences, ranges: number, control: WorkControl): RangeMeasurer {
  const bucketed = bucketedValuesOf(prepared);
  if (!bucketed || hasSortedIndex(prepared) || !bucketedMeasureApplies(bucketed.n, bits, ranges)) return createRangeMeasurer(prepared, bits, fences, control);
  checkBits(bits);
  return {
    measure: (p) => measureBucketed(bucketed, [p], fences)[0],
    measureDirect: (p) => measureDirect(prepared.finite, p, fences),
    measureAll: (params, c) => measureBucketed(bucketed, params, fences, c),
    isDirect: false,
  };
}

/** A key equal for two ranges exactly when every metric is the same function of the data. */
export function paramsKey(p: AffineParams): string {
  return `${p.scale}|${p.zeroPoint}|${p.clipMin}|${p.clipMax}|${p.qmax}`;
}

/**
 * The fast exact grid search: every candidate percentile evaluated from one sort and block sums (see
 * RangeEvaluator), the same candidates, curve and winner as directGridSearch. Ranges shared by several
 * percentiles are measured once. A `CandidateEvaluator`.
 */
export function fastGridSearch(
  prepared: PreparedValues,
  bits: number,
  candidates: readonly number[],
  outlierK: number,
  control: WorkControl = {},
): EvaluatedCandidate[] {
  if (control.signal?.aborted) throw new CancelledError();
  const fences = prepared.fences(outlierK);
  const measurer = createGridMeasurer(prepared, bits, fences, candidates.length, control);
  control.onProgress?.(preparationShare);
  const params = candidates.map((percentile) => chooseParams(prepared, { bits, range: 'percentile', percentile }));
  const slotOf = new Map<string, number>();
  const unique: AffineParams[] = [];
  const slots = params.map((p) => {
    const key = paramsKey(p);
    let slot = slotOf.get(key);
    if (slot === undefined) {
      slot = unique.length;
      slotOf.set(key, slot);
      unique.push(p);
    }
    return slot;
  });
  const progress = control.onProgress;
  const metrics = measurer.measureAll(unique, {
    signal: control.signal,
    onProgress: progress && ((f) => progress(preparationShare + (1 - preparationShare) * f)),
  });
  const out: EvaluatedCandidate[] = candidates.map((percentile, i) => ({ percentile, params: params[i], metrics: metrics[slots[i]] }));
  return settleCloseCalls(out, measurer, control);
}

/** Objectives whose values come from sums (maxAbsError and the counts are exact already); sqnrDb ranks as mse. */
const summedObjectives = ['mse', 'mae', 'mseInliers'] as const;
/** Two values closer than this (relative) may rank differently in the direct pass. */
const closeCall = 4 * (acceptedRelativeError + 2 ** -50);

/**
 * Makes the winner the direct pass's winner for every objective: where distinct ranges come within the
 * fast sums' proven error of the best value, those ranges are measured by the direct pass and take its
 * figures, so their order, exact ties included, is the direct order.
 */
export function settleCloseCalls<T extends { readonly params: AffineParams; readonly metrics: Metrics }>(
  evaluated: readonly T[],
  measurer: RangeMeasurer,
  control: WorkControl = {},
): T[] {
  if (measurer.isDirect) return [...evaluated];
  const recheck = new Set<string>();
  for (const objective of summedObjectives) {
    let best = Infinity;
    for (const c of evaluated) best = Math.min(best, c.metrics[objective]);
    const limit = best * (1 + closeCall);
    const keys = new Set<string>();
    for (const c of evaluated) if (c.metrics[objective] <= limit) keys.add(paramsKey(c.params));
    if (keys.size > 1) for (const k of keys) recheck.add(k);
  }
  if (recheck.size === 0) return [...evaluated];
  const direct = new Map<string, Metrics>();
  return evaluated.map((c) => {
    const key = paramsKey(c.params);
    if (!recheck.has(key)) return c;
    let m = direct.get(key);
    if (!m) {
      if (control.signal?.aborted) throw new CancelledError();
      m = measurer.measureDirect(c.params);
      direct.set(key, m);
    }
    return { ...c, metrics: m } as T;
  });
}
