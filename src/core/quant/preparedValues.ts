import type { WorkControl } from '../formats/tensorFile';
import { sortFloat32Values, sortFloat64 } from '../search/radixSort';
import { finiteValues, requireFinite, type FiniteValues } from './finiteValues';
import type { FloatValues } from './metrics';
import { percentileOfRanks, percentileOfSorted } from './percentile';

/** Tukey's far-out multiplier: an outlier lies more than k IQRs outside [Q1, Q3] (contract, mseInliers). */
export const defaultOutlierK = 3;

/** Bounds outside which an element counts as an outlier for `mseInliers`. */
export interface OutlierFences {
  readonly lower: number;
  readonly upper: number;
}

/** What a reader that went over the elements itself already knows about them (a streamed tensor). */
export interface PreparedFacts {
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  /** Of the finite values, found in element order as the constructor finds them. */
  readonly min: number;
  readonly max: number;
}

/** What a reader that keeps the values partly ordered, in a form of its own, can do (see BucketedValues). */
export interface ValuesOrder {
  /** How many finite values there are. */
  readonly count: number;
  /** The rank-th smallest finite value (from 0). */
  valueAtRank(rank: number): number;
  /** The finite values in any order (made when first asked for). */
  values(): FloatValues;
  /** Sorts the finite values (in place or not), telling `onSorted` each final range as sortWith does. */
  sort(control?: WorkControl, onSorted?: SortedRangeListener): FloatValues;
}

/** Told each range of the sorted values as soon as it is final, while the sort still has it in cache. */
export type SortedRangeListener = (sorted: FloatValues, from: number, to: number) => void;

/**
 * A tensor's finite values with the facts every quantization needs, computed once and shared:
 * min and max, the sorted copy (only when a percentile asks for it) and the outlier fences.
 *
 * When every finite value is a float32 (float32, float16, bfloat16, float8 and small-integer tensors),
 * the sorted copy is a Float32Array sorted on 32-bit keys: half the memory and half the traffic, and
 * every figure the same, since those values convert to float64 exactly.
 */
export class PreparedValues {
  /** How many finite values there are. */
  readonly count: number;
  readonly nonFiniteCount: number;
  readonly nanCount: number;
  readonly posInfCount: number;
  readonly negInfCount: number;
  readonly min: number;
  readonly max: number;
  /** True when every finite value is a float32. */
  readonly isFloat32: boolean;
  private sortedCache: FloatValues | undefined;
  private finiteCache: FloatValues | undefined;
  private readonly order: ValuesOrder | undefined;
  private readonly fencesCache = new Map<number, OutlierFences>();

  /** Prepares a tensor's elements (NaN and ±Inf are counted and set aside). */
  constructor(values: Float64Array, tensorName: string, sorted?: FloatValues);
  /**
   * Wraps finite values a reader has already gone over, with what it found (`sorted` may be `finite`
   * itself); or the float32 values a reader keeps in a form of its own (a ValuesOrder), whose order
   * statistics it asks for, and whose values and sort are made only when first asked for.
   */
  constructor(finite: FloatValues | ValuesOrder, tensorName: string, sorted: FloatValues | undefined, facts: PreparedFacts);
  constructor(values: FloatValues | ValuesOrder, readonly tensorName: string, sorted?: FloatValues, facts?: PreparedFacts) {
    if (facts) {
      const kept = ArrayBuffer.isView(values) ? values : undefined;
      this.finiteCache = kept;
      this.count = kept ? kept.length : (values as ValuesOrder).count;
      this.nanCount = facts.nanCount;
      this.posInfCount = facts.posInfCount;
      this.negInfCount = facts.negInfCount;
      this.nonFiniteCount = facts.nanCount + facts.posInfCount + facts.negInfCount;
      requireFinite({ values: { length: this.count } }, this.count + this.nonFiniteCount, tensorName);
      this.min = unsignedZero(facts.min);
      this.max = unsignedZero(facts.max);
      this.isFloat32 = !kept || kept instanceof Float32Array || allFloat32(kept);
      this.sortedCache = sorted;
      this.order = kept ? undefined : (values as ValuesOrder);
      return;
    }
    const f: FiniteValues = finiteValues(values as Float64Array);
    requireFinite(f, (values as Float64Array).length, tensorName);
    this.finiteCache = f.values;
    this.count = f.values.length;
    this.order = undefined;
    this.nanCount = f.nanCount;
    this.posInfCount = f.posInfCount;
    this.negInfCount = f.negInfCount;
    this.nonFiniteCount = f.nanCount + f.posInfCount + f.negInfCount;
    this.sortedCache = sorted;
    let min = Infinity;
    let max = -Infinity;
    let float32 = true;
    const finite = f.values;
    for (let i = 0; i < finite.length; i++) {
      const v = finite[i];
      if (v < min) min = v;
      if (v > max) max = v;
      if (Math.fround(v) !== v) float32 = false;
    }
    this.min = unsignedZero(min);
    this.max = unsignedZero(max);
    this.isFloat32 = float32;
  }

  /** The finite values: in element order, or in any order when a streamed tensor gave them (made on first use then). */
  get finite(): FloatValues {
    this.finiteCache ??= (this.order as ValuesOrder).values();
    return this.finiteCache;
  }

  /** True once the sorted values are at hand (`sorted` then costs nothing). */
  get hasSorted(): boolean {
    return this.sortedCache !== undefined;
  }

  /** The finite values sorted ascending (computed on first use). */
  get sorted(): FloatValues {
    return this.sortWith();
  }

  /**
   * The sorted values, sorting (radix, stoppable through `control`) on first use; a float32 sort tells
   * `onSorted` each final range as it goes (a float64 sort, and a cached result, tell nothing).
   */
  sortWith(control?: WorkControl, onSorted?: SortedRangeListener): FloatValues {
    if (!this.sortedCache) {
      this.sortedCache = this.order ? this.order.sort(control, onSorted) : this.isFloat32 ? sortFloat32Values(this.finite, control, onSorted) : sortFloat64(this.finite as Float64Array, control);
    }
    return this.sortedCache;
  }

  /** numpy.percentile of the finite values. */
  percentile(p: number): number {
    if (p === 100) return this.max;
    if (p === 0) return this.min;
    const order = this.order;
    if (order && !this.sortedCache) return percentileOfRanks((rank) => order.valueAtRank(rank), this.count, p);
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

/**
 * A zero min or max as +0: which zero a reader meets first depends on the order it reads in (element
 * order, sorted, chunked), and no figure depends on the sign, so every reader reports the same one.
 */
export function unsignedZero(x: number): number {
  return x === 0 ? 0 : x;
}

function allFloat32(values: FloatValues): boolean {
  for (let i = 0; i < values.length; i++) if (Math.fround(values[i]) !== values[i]) return false;
  return true;
}
