import type { WorkControl } from '../formats/tensorFile';
import type { FloatValues } from '../quant/metrics';
import type { PreparedValues, SortedRangeListener } from '../quant/preparedValues';
import type { MomentSums } from '../quant/summaryStats';
import { sortFloat32Bucket } from './radixSort';

/** Buckets of the float32 sort's first pass (the top 16 bits of the keys, see floatKeys). */
export const bucketCount = 1 << 16;

/**
 * A float32 tensor's finite values after the radix sort's scatter pass, before the buckets are sorted:
 * bucket d holds every value whose key has top 16 bits d ^ 0x8000 (one sign, one exponent, the same 7
 * leading mantissa bits), in no order within it. That is all a grid search needs (bucketedMeasure): any
 * order statistic sorts only its own bucket, and the sums between threshold keys are taken bucket by
 * bucket. Sorting every bucket, for the searches that need the sorted copy, is deferred to `sort`.
 */
export class BucketedValues {
  readonly n: number;
  /** The values, bucket by bucket (a view of `bits`). */
  readonly values: Float32Array;
  private readonly sortedBucket = new Uint8Array(bucketCount);
  private sortedAll: FloatValues | undefined;
  private momentSums: MomentSums | undefined;
  private scratch = new Int32Array(0);
  private readonly low = new Int32Array(256);
  private readonly high = new Int32Array(256);

  /**
   * `bits`: float32 bit patterns in bucket order; `starts`: the 65537 bucket boundaries; `sortAll` sorts
   * every bucket in place (the sort's own finish, which may share it with a helper thread).
   */
  constructor(
    readonly bits: Int32Array,
    readonly starts: Int32Array,
    private readonly sortAll: (control: WorkControl, onSorted?: SortedRangeListener) => FloatValues,
  ) {
    this.n = bits.length;
    this.values = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  }

  /** The value of rank `rank` (0-based) in ascending order: sorts the one bucket that holds it. */
  valueAtRank(rank: number): number {
    if (!(rank >= 0 && rank < this.n)) throw new RangeError(`rank ${rank} outside 0..${this.n - 1}`);
    const starts = this.starts;
    // The bucket d with starts[d] <= rank < starts[d + 1].
    let lo = 0;
    let hi = bucketCount;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= rank) lo = mid;
      else hi = mid;
    }
    if (!this.sortedAll && this.sortedBucket[lo] === 0) {
      const from = starts[lo];
      const to = starts[lo + 1];
      if (this.scratch.length < to - from) this.scratch = new Int32Array(to - from);
      sortFloat32Bucket(this.bits, from, to, lo, this.scratch, this.low, this.high);
      this.sortedBucket[lo] = 1;
    }
    return this.values[rank];
  }

  /** Σx and Σx² of every value, once a pass has summed them (bucketedMoments, or any measureBucketed). */
  get moments(): MomentSums | undefined {
    return this.momentSums;
  }

  rememberMoments(moments: MomentSums): void {
    this.momentSums ??= moments;
  }

  /** Sorts every bucket (once), telling `onSorted` each final range; the values are then in ascending order. */
  sort(control: WorkControl = {}, onSorted?: SortedRangeListener): FloatValues {
    this.sortedAll ??= this.sortAll(control, onSorted);
    return this.sortedAll;
  }
}

const bucketed = new WeakMap<PreparedValues, BucketedValues>();

/** Records that `prepared`'s finite values are `values`, so that grid searches take them bucket by bucket. */
export function rememberBucketedValues(prepared: PreparedValues, values: BucketedValues): void {
  bucketed.set(prepared, values);
}

/** The bucketed values behind `prepared`, when a streamed read left them so. */
export function bucketedValuesOf(prepared: PreparedValues): BucketedValues | undefined {
  return bucketed.get(prepared);
}
