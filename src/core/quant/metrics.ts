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
 */
export function measureDirect(finite: FloatValues, p: AffineParams, fences: OutlierFences): Metrics {
  const { scale, zeroPoint, qmax, clipMin, clipMax } = p;
  const sq = new CompensatedSum();
  const abs = new CompensatedSum();
  const signal = new CompensatedSum();
  const inlierSq = new CompensatedSum();
  let inliers = 0;
  let maxAbs = 0;
  let clipped = 0;
  for (let i = 0; i < finite.length; i++) {
    const x = finite[i];
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
  return {
    mse: sq.value / n,
    mae: abs.value / n,
    maxAbsError: maxAbs,
    sqnrDb: sqnrDb(signal.value, sq.value),
    clippedCount: clipped,
    clippedFraction: clipped / n,
    mseInliers: inliers === 0 ? 0 : inlierSq.value / inliers,
  };
}
