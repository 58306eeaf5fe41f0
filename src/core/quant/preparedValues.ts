import type { WorkControl } from '../formats/tensorFile';
import { sortFloat64 } from '../search/radixSort';
import { finiteValues, requireFinite, type FiniteValues } from './finiteValues';
import { percentileOfSorted } from './percentile';

/** Tukey's far-out multiplier: an outlier lies more than k IQRs outside [Q1, Q3] (contract, mseInliers). */
export const defaultOutlierK = 3;

/** Bounds outside which an element counts as an outlier for `mseInliers`. */
export interface OutlierFences {
  readonly lower: number;
  readonly upper: number;
}

/**
 * A tensor's finite values with the facts every quantization needs, computed once and shared:
 * min and max, the sorted copy (only when a percentile asks for it) and the outlier fences.
 */
export class PreparedValues {
  readonly finite: Float64Array;
  readonly nonFiniteCount: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  readonly min: number;
  readonly max: number;
  private sortedCache: Float64Array | undefined;
  private readonly fencesCache = new Map<number, OutlierFences>();

  constructor(values: Float64Array, readonly tensorName: string, sorted?: Float64Array) {
    const f: FiniteValues = finiteValues(values);
    requireFinite(f, values.length, tensorName);
    this.finite = f.values;
    this.nanCount = f.nanCount;
    this.posInfCount = f.posInfCount;
    this.negInfCount = f.negInfCount;
    this.nonFiniteCount = f.nanCount + f.posInfCount + f.negInfCount;
    this.sortedCache = sorted;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < this.finite.length; i++) {
      const v = this.finite[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.min = min;
    this.max = max;
  }

  /** The finite values sorted ascending (computed on first use). */
  get sorted(): Float64Array {
    return this.sortWith();
  }

  /** The sorted values, sorting (radix, stoppable through `control`) on first use. */
  sortWith(control?: WorkControl): Float64Array {
    if (!this.sortedCache) this.sortedCache = sortFloat64(this.finite, control);
    return this.sortedCache;
  }

  /** numpy.percentile of the finite values. */
  percentile(p: number): number {
    if (p === 100) return this.max;
    if (p === 0) return this.min;
    return percentileOfSorted(this.sorted, p);
  }

  /** Tukey's fences Q1 - k·IQR and Q3 + k·IQR. */
  fences(k = defaultOutlierK): OutlierFences {
    let f = this.fencesCache.get(k);
    if (!f) {
      const q1 = this.percentile(25);
      const q3 = this.percentile(75);
      const iqr = q3 - q1;
      f = { lower: q1 - k * iqr, upper: q3 + k * iqr };
      this.fencesCache.set(k, f);
    }
    return f;
  }
}
