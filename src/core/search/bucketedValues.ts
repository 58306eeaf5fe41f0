import type { WorkControl } from '../formats/tensorFile';
import type { PreparedValues, SortedRangeListener, ValuesOrder } from '../quant/preparedValues';
import type { MomentSums } from '../quant/summaryStats';
import { valueOfKey } from './floatKeys';
import { sortEveryBucket } from './radixSort';
import type { PiecesHelper } from './sharedPieces';

/** Buckets of the float32 sort's first pass (the top 16 bits of the keys, see floatKeys). */
export const bucketCount = 1 << 16;

/**
 * A float32 tensor's finite values after the radix sort's scatter pass, kept as their low 16 bits
 * (Float32RadixSorter.beginLow16): bucket d holds every value whose key has top 16 bits d ^ 0x8000 (one
 * sign, one exponent, the same 7 leading mantissa bits), so the bucket gives the other 16 bits, in no
 * order within it. That is all a grid search needs (bucketedMeasure), in half the memory of the values:
 * any order statistic sorts only its own bucket, and the sums between threshold keys are taken bucket by
 * bucket. The values themselves (for a direct pass) and their sort (for the searches that need the
 * sorted copy) are made when first asked for.
 */
export class BucketedValues implements ValuesOrder {
  readonly n: number;
  private readonly sortedBucket = new Uint8Array(bucketCount);
  private bits: Int32Array | undefined;
  private sortedAll: Float32Array | undefined;
  private momentSums: MomentSums | undefined;
  /** sortBucketKeys' scratch (the largest bucket sorted so far) and digit counts. */
  private scratch = new Uint16Array(0);
  private readonly digitCounts = new Int32Array(512);
  /** The bucket of the last rank asked for (valueAtRank). */
  private lastBucket = 0;

  /**
   * `low`: the values' low 16 bits, bucket by bucket; `starts`: the 65537 bucket boundaries; `helper`: a
   * thread that takes part in the passes over the buckets (pieceSums), when `low` is shared memory.
   */
  constructor(readonly low: Uint16Array, readonly starts: Int32Array, readonly helper?: PiecesHelper) {
    this.n = low.length;
  }

  get count(): number {
    return this.n;
  }

  /** The value of rank `rank` (0-based) in ascending order: sorts the one bucket that holds it. */
  valueAtRank(rank: number): number {
    if (!(rank >= 0 && rank < this.n)) throw new RangeError(`rank ${rank} outside 0..${this.n - 1}`);
    const starts = this.starts;
    // The bucket d with starts[d] <= rank < starts[d + 1]: mostly the last one asked for (a percentile
    // asks for two neighbouring ranks). Only then searched for: a search's few hundred calls then stay
    // too short for V8 to compile this method, which took 9-10 ms (with the bucket sort inlined) for
    // calls that run in a few µs.
    let d = this.lastBucket;
    if (!(starts[d] <= rank && rank < starts[d + 1])) {
      d = 0;
      let hi = bucketCount;
      while (hi - d > 1) {
        const mid = (d + hi) >>> 1;
        if (starts[mid] <= rank) d = mid;
        else hi = mid;
      }
      this.lastBucket = d;
    }
    const negative = d < 0x8000;
    if (this.sortedBucket[d] === 0) {
      // Ascending keys: ascending low bits for a positive bucket, descending for a negative one (its
      // keys flip them).
      const size = starts[d + 1] - starts[d];
      if (this.scratch.length < size) this.scratch = new Uint16Array(size);
      sortBucketKeys(this.low, starts[d], starts[d + 1], negative ? 0xffff : 0, this.scratch, this.digitCounts);
      this.sortedBucket[d] = 1;
    }
    return valueOfKey(((d ^ 0x8000) << 16) + (negative ? this.low[rank] ^ 0xffff : this.low[rank]));
  }

  /** The values, bucket by bucket (made once, 4 bytes a value). */
  values(): Float32Array {
    const bits = this.fullBits();
    return new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  }

  /** Sorts the values (once, in place), telling `onSorted` each bucket as it is final. */
  sort(control: WorkControl = {}, onSorted?: SortedRangeListener): Float32Array {
    if (!this.sortedAll) {
      const bits = this.fullBits();
      const starts = this.starts;
      let largest = 0;
      for (let d = 0; d < bucketCount; d++) largest = Math.max(largest, starts[d + 1] - starts[d]);
      sortEveryBucket(bits, starts, new Int32Array(largest), control, onSorted);
      this.sortedAll = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
    }
    return this.sortedAll;
  }

  /** Σx and Σx² of every value, once a pass has summed them (bucketedMoments, or any measureBucketed). */
  get moments(): MomentSums | undefined {
    return this.momentSums;
  }

  rememberMoments(moments: MomentSums): void {
    this.momentSums ??= moments;
  }

  /** The values' float32 bits, bucket by bucket: each bucket's top 16 bits joined to the low ones. */
  private fullBits(): Int32Array {
    if (!this.bits) {
      const { low, starts } = this;
      const bits = new Int32Array(this.n);
      for (let d = 0; d < bucketCount; d++) {
        const kb = (d ^ 0x8000) << 16;
        const top = (kb ^ ((kb >> 31) & 0x7fffffff)) & ~0xffff;
        for (let i = starts[d]; i < starts[d + 1]; i++) bits[i] = top | low[i];
      }
      this.bits = bits;
    }
    return this.bits;
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

/** Buckets below this size are sorted by the built-in sort: a counting pass costs more than they do. */
const countingSortMin = 256;

/**
 * Sorts low[from, to) (one bucket's low 16 bits) by key, `bits ^ flip`, ascending: two 8-bit counting
 * passes through `scratch`. Measured here, the built-in sort took 18 ms for the 21 buckets a 10^7-element
 * grid's percentiles sort (250 000 values). Each loop is a function of its own: V8 compiles a loop while
 * it runs, for the code that has run by then, and throws the code away at the first operation that had
 * not; with the four loops in one function, it did so at the next loop in nearly every bucket (twenty
 * times in one search), and the rest of the bucket ran slowly.
 */
function sortBucketKeys(low: Uint16Array, from: number, to: number, flip: number, scratch: Uint16Array, counts: Int32Array): void {
  if (to - from < countingSortMin) {
    const bucket = low.subarray(from, to).sort();
    if (flip !== 0) bucket.reverse();
    return;
  }
  countKeyDigits(low, from, to, flip, counts);
  digitStarts(counts);
  placeByLowDigit(low, from, to, flip, scratch, counts);
  placeByHighDigit(scratch, to - from, low, from, flip, counts);
}

/** Counts of each key's low digit (counts[0, 256)) and high digit (counts[256, 512)). */
function countKeyDigits(low: Uint16Array, from: number, to: number, flip: number, counts: Int32Array): void {
  counts.fill(0);
  for (let i = from; i < to; i++) {
    const k = low[i] ^ flip;
    counts[k & 0xff]++;
    counts[256 + (k >>> 8)]++;
  }
}

/** Turns each digit's count into the position where its first key goes, for both digits. */
function digitStarts(counts: Int32Array): void {
  for (let digit = 0, lowAt = 0, highAt = 0; digit < 256; digit++) {
    const c = counts[digit];
    counts[digit] = lowAt;
    lowAt += c;
    const h = counts[256 + digit];
    counts[256 + digit] = highAt;
    highAt += h;
  }
}

/** The first counting pass: low[from, to) into scratch by the low digit of their keys. */
function placeByLowDigit(low: Uint16Array, from: number, to: number, flip: number, scratch: Uint16Array, counts: Int32Array): void {
  for (let i = from; i < to; i++) {
    const v = low[i];
    scratch[counts[(v ^ flip) & 0xff]++] = v;
  }
}

/** The second: scratch[0, size) back into low from `from` by the high digit, stably. */
function placeByHighDigit(scratch: Uint16Array, size: number, low: Uint16Array, from: number, flip: number, counts: Int32Array): void {
  for (let j = 0; j < size; j++) {
    const v = scratch[j];
    low[from + counts[256 + ((v ^ flip) >>> 8)]++] = v;
  }
}
