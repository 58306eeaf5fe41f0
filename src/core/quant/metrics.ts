import type { AffineParams } from './affineParams';
import { CompensatedSum } from './compensatedSum';
import type { OutlierFences } from './preparedValues';
import { roundHalfEven } from './roundHalfEven';

/** How much a quantization loses, over the finite elements (contract, Error metrics). */
export interface Metrics {
  readonly mse: number;
  readonly mae: number;
  readonly maxAbsError: number;
  /** Infinity when the error is exactly 0. */
  readonly sqnrDb: number;
  readonly clippedCount: number;
  readonly clippedFraction: number;
  /** MSE over the elements inside the outlier fences: the seed's "error excluding outlier". */
  readonly mseInliers: number;
}

/** The metric a search optimises. */
export type Objective = keyof Omit<Metrics, 'clippedCount' | 'clippedFraction'>;

/** Every objective, in the order the CLI lists them. */
export const objectives: readonly Objective[] = ['mse', 'mae', 'maxAbsError', 'sqnrDb', 'mseInliers'];

/** sqnrDb grows with quality; every other objective shrinks. */
export function isMaximised(objective: Objective): boolean {
  return objective === 'sqnrDb';
}

/** SQNR in dB from the two sums; Infinity when nothing was lost. */
export function sqnrDb(signalSquares: number, errorSquares: number): number {
  if (errorSquares === 0) return Infinity;
  return 10 * Math.log10(signalSquares / errorSquares);
}

/** Finite values as a report holds them: float64, or float32 where every element is a float32 (converted exactly). */
export type FloatValues = Float64Array | Float32Array;

/**
 * Quantizes, dequantizes and measures every finite element in one pass: the direct method every
 * faster engine is checked against.
 *
 * Squares of values beyond ~1e154 overflow float64 although the metrics may not: when a sum of squares
 * or of |e| overflows, the pass is repeated on the values scaled by a power of two (exact, and the same
 * codes, since scale and clipping range scale with them) and the sums are scaled back. A metric that is
 * itself beyond float64 is then Infinity, never NaN.
 */
export function measureDirect(finite: FloatValues, p: AffineParams, fences: OutlierFences): Metrics {
  const m = measurePass(finite, p, fences, 1);
  if (Number.isFinite(m.sums.errorSquares) && Number.isFinite(m.sums.signalSquares) && Number.isFinite(m.sums.absErrors)) return m.metrics;
  let big = Math.max(Math.abs(p.clipMin), Math.abs(p.clipMax));
  for (let i = 0; i < finite.length; i++) big = Math.max(big, Math.abs(finite[i]));
  const k = scaleExponent(big);
  if (k === 0) return m.metrics;
  const down = scaledDown(p, fences, 2 ** -k);
  return scaledUp(measurePass(finite, down.params, down.fences, 2 ** -k).metrics, 2 ** k);
}

/**
 * The power of two to divide values by before their squares are summed: 0 unless the largest magnitude
 * would square near float64's overflow (beyond 2^480, squares stay below 2^960).
 */
export function scaleExponent(maxAbs: number): number {
  return maxAbs > 2 ** 480 && Number.isFinite(maxAbs) ? Math.ceil(Math.log2(maxAbs)) - 480 : 0;
}

/** A clipping range and fences for values times `down` (a power of two: exact, and the same codes). */
export function scaledDown(p: AffineParams, fences: OutlierFences, down: number): { params: AffineParams; fences: OutlierFences } {
  return {
    params: { ...p, scale: p.scale * down, clipMin: p.clipMin * down, clipMax: p.clipMax * down },
    fences: { lower: fences.lower * down, upper: fences.upper * down },
  };
}

/** Metrics measured on values times 2^-k, at the values' own scale (`up` = 2^k; SQNR and counts do not scale). */
export function scaledUp(m: Metrics, up: number): Metrics {
  if (up === 1) return m;
  return { ...m, mse: (m.mse * up) * up, mae: m.mae * up, maxAbsError: m.maxAbsError * up, mseInliers: (m.mseInliers * up) * up };
}

/** One pass of measureDirect over the values times `factor` (1, or a power of two), with its raw sums. */
function measurePass(finite: FloatValues, p: AffineParams, fences: OutlierFences, factor: number): { metrics: Metrics; sums: { errorSquares: number; absErrors: number; signalSquares: number } } {
  const { scale, zeroPoint, qmax, clipMin, clipMax } = p;
  const sq = new CompensatedSum();
  const abs = new CompensatedSum();
  const signal = new CompensatedSum();
  const inlierSq = new CompensatedSum();
  let inliers = 0;
  let maxAbs = 0;
  let clipped = 0;
  for (let i = 0; i < finite.length; i++) {
    const x = finite[i] * factor;
    const q = Math.min(Math.max(roundHalfEven(x / scale + zeroPoint), 0), qmax);
    const e = x - scale * (q - zeroPoint);
    const e2 = e * e;
    const ae = Math.abs(e);
    sq.add(e2);
    abs.add(ae);
    signal.add(x * x);
    if (ae > maxAbs) maxAbs = ae;
    if (x < clipMin || x > clipMax) clipped++;
    if (x >= fences.lower && x <= fences.upper) {
      inlierSq.add(e2);
      inliers++;
    }
  }
  const n = finite.length;
  const metrics = {
    mse: sq.value / n,
    mae: abs.value / n,
    maxAbsError: maxAbs,
    sqnrDb: sqnrDb(signal.value, sq.value),
    clippedCount: clipped,
    clippedFraction: clipped / n,
    mseInliers: inliers === 0 ? 0 : inlierSq.value / inliers,
  };
  return { metrics, sums: { errorSquares: sq.value, absErrors: abs.value, signalSquares: signal.value } };
}
