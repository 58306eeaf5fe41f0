import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';

/** Below this many values the built-in sort is as fast and needs no tables. */
const minRadixLength = 4096;
/** Buckets this small are finished by insertion sort instead of radix passes. */
const insertionSortMax = 48;
/** Values processed between two looks at the abort signal. */
const abortCheckStride = 1 << 18;
/** Digit widths of the in-bucket (least significant digit first) passes, and the bucket size from which the wide one pays. */
const lsdMinBits = 8;
const lsdMaxBits = 11;
const lsdWideFrom = 1 << 14;
/** The sign bit of the high word, as an int32. */
const signBit = -0x80000000;

/**
 * Sorts doubles ascending (-0 before +0, as Float64Array.prototype.sort) into a new array.
 *
 * A radix sort on the order-preserving transform of the IEEE bits (flip every bit of a negative
 * value, only the sign bit of a positive one): one most-significant-digit scatter on the top
 * varying bits from `values` into the result, then each bucket is finished in place by
 * least-significant-digit passes over the bits that vary at all (float32 data leaves the low 29
 * mantissa bits constant, so their passes are skipped). Extra memory is the largest bucket, not a
 * second copy of the tensor. NaN must not be present (callers pass finite values).
 */
export function sortFloat64(values: Float64Array, control: WorkControl = {}): Float64Array {
  const n = values.length;
  if (n < minRadixLength) return Float64Array.from(values).sort();
  const signal = control.signal;
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);

  // Pass 1: which key bits vary at all.
  const hi0 = words[1];
  const lo0 = words[0];
  const m0 = hi0 >> 31;
  const kh0 = hi0 ^ (m0 | signBit);
  const kl0 = lo0 ^ m0;
  let varyHi = 0;
  let varyLo = 0;
  for (let start = 0; start < n; start += abortCheckStride) {
    if (signal?.aborted) throw new CancelledError();
    const end = Math.min(n, start + abortCheckStride);
    for (let i = start; i < end; i++) {
      const hi = words[2 * i + 1];
      const m = hi >> 31;
      varyHi |= (hi ^ (m | signBit)) ^ kh0;
      varyLo |= (words[2 * i] ^ m) ^ kl0;
    }
  }
  const out = new Float64Array(n);
  if (varyHi === 0 && varyLo === 0) {
    out.set(values);
    return out;
  }
  const top = varyHi !== 0 ? 63 - Math.clz32(varyHi) : 31 - Math.clz32(varyLo);
  const low = varyLo !== 0 ? ctz32(varyLo) : 32 + ctz32(varyHi);
  const msdWidth = Math.min(top - low + 1, n >= 1 << 20 ? 16 : 12);
  const msdShift = top - msdWidth + 1;
  const msdMask = (1 << msdWidth) - 1;

  // Pass 2: bucket sizes of the top digit; pass 3: scatter into `out`.
  const counts = new Int32Array(msdMask + 1);
  for (let start = 0; start < n; start += abortCheckStride) {
    if (signal?.aborted) throw new CancelledError();
    const end = Math.min(n, start + abortCheckStride);
    for (let i = start; i < end; i++) {
      const hi = words[2 * i + 1];
      const m = hi >> 31;
      counts[digitOf(hi ^ (m | signBit), words[2 * i] ^ m, msdShift, msdMask)]++;
    }
  }
  const offsets = new Int32Array(msdMask + 2);
  let maxBucket = 0;
  for (let d = 0; d <= msdMask; d++) {
    offsets[d + 1] = offsets[d] + counts[d];
    if (counts[d] > maxBucket) maxBucket = counts[d];
  }
  const next = offsets.slice(0, msdMask + 1);
  for (let start = 0; start < n; start += abortCheckStride) {
    if (signal?.aborted) throw new CancelledError();
    const end = Math.min(n, start + abortCheckStride);
    for (let i = start; i < end; i++) {
      const hi = words[2 * i + 1];
      const m = hi >> 31;
      out[next[digitOf(hi ^ (m | signBit), words[2 * i] ^ m, msdShift, msdMask)]++] = values[i];
    }
  }

  // Finish every bucket on the bits below the top digit.
  if (msdShift > low) {
    const scratch = new Float64Array(maxBucket > insertionSortMax ? maxBucket : 0);
    const sorter = new BucketSorter(out, scratch, low, msdShift);
    let done = 0;
    for (let d = 0; d <= msdMask; d++) {
      const a = offsets[d];
      const b = offsets[d + 1];
      if (b - a < 2) continue;
      if (b - a <= insertionSortMax) insertionSort(out, a, b);
      else sorter.sort(a, b);
      done += b - a;
      if (done >= abortCheckStride) {
        if (signal?.aborted) throw new CancelledError();
        done = 0;
      }
    }
  }
  return out;
}

/** Index of the lowest set bit of a non-zero 32-bit integer. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Bits [shift, shift + width) of the 64-bit key (kh, kl); width <= 16. */
function digitOf(kh: number, kl: number, shift: number, mask: number): number {
  if (shift >= 32) return (kh >>> (shift - 32)) & mask;
  if (shift === 0) return kl & mask;
  return ((kl >>> shift) | (kh << (32 - shift))) & mask;
}

/** Sorts a short range by comparison; -0 and +0 never share a bucket, so `<` orders it fully. */
function insertionSort(a: Float64Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= from && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** LSD radix passes over one bucket of `data`, moving values through `scratch` and back. */
class BucketSorter {
  private readonly counts: Int32Array;
  private readonly dataWords: Int32Array;
  private readonly scratchWords: Int32Array;

  constructor(
    private readonly data: Float64Array,
    private readonly scratch: Float64Array,
    private readonly low: number,
    private readonly high: number,
  ) {
    this.counts = new Int32Array(Math.ceil((high - low) / lsdMinBits) << lsdMaxBits);
    this.dataWords = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
    this.scratchWords = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length * 2);
  }

  /** Sorts data[from, to): wide digits for big buckets, narrow ones where a table would cost more than the data. */
  sort(from: number, to: number): void {
    const { counts, low, high, data, scratch } = this;
    const m = to - from;
    const bits = high - low;
    const passes = Math.ceil(bits / (m >= lsdWideFrom ? lsdMaxBits : lsdMinBits));
    const width = Math.ceil(bits / passes);
    const stride = 1 << width;
    counts.fill(0, 0, passes * stride);
    const words = this.dataWords;
    const mask = stride - 1;
    const lastMask = (1 << (bits - (passes - 1) * width)) - 1;
    for (let i = from; i < to; i++) {
      const hi = words[2 * i + 1];
      const sm = hi >> 31;
      const kh = hi ^ (sm | signBit);
      const kl = words[2 * i] ^ sm;
      for (let p = 0; p < passes; p++) {
        counts[p * stride + digitOf(kh, kl, low + p * width, p === passes - 1 ? lastMask : mask)]++;
      }
    }
    // Source and destination alternate: data[from..to) and scratch[0..m).
    let inScratch = false;
    for (let p = 0; p < passes; p++) {
      const base = p * stride;
      const shift = low + p * width;
      const pmask = p === passes - 1 ? lastMask : mask;
      let skip = false;
      for (let d = 0; d <= pmask; d++) {
        const c = counts[base + d];
        if (c === m) skip = true;
        if (c !== 0) break;
      }
      if (skip) continue;
      let sum = 0;
      for (let d = 0; d <= pmask; d++) {
        const c = counts[base + d];
        counts[base + d] = sum;
        sum += c;
      }
      if (!inScratch) {
        const w = this.dataWords;
        for (let i = from; i < to; i++) {
          const hi = w[2 * i + 1];
          const sm = hi >> 31;
          const d = digitOf(hi ^ (sm | signBit), w[2 * i] ^ sm, shift, pmask);
          scratch[counts[base + d]++] = data[i];
        }
      } else {
        const w = this.scratchWords;
        for (let i = 0; i < m; i++) {
          const hi = w[2 * i + 1];
          const sm = hi >> 31;
          const d = digitOf(hi ^ (sm | signBit), w[2 * i] ^ sm, shift, pmask);
          data[from + counts[base + d]++] = scratch[i];
        }
      }
      inScratch = !inScratch;
    }
    if (inScratch) data.set(scratch.subarray(0, m), from);
  }
}
