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

/** Buckets of the float32 sort's first pass: the top 16 bits of the key (sign, exponent, 7 mantissa bits). */
const float32Buckets = 1 << 16;
/** A float32 bucket this small is finished by insertion sort. */
const float32InsertionMax = 32;
/** The exponent field of a float32; all ones marks NaN and ±Inf. */
const float32ExponentMask = 0x7f800000;

/**
 * A radix sort of float32 values on their 32-bit keys, in pieces, for callers that see the values in
 * chunks (a file read twice, say): `count` every chunk, `begin`, `scatter` every chunk again in the same
 * order or not, then `finish`. Non-finite values are skipped by both passes.
 *
 * The key is the IEEE bits with every bit but the sign flipped for a negative value, read as a signed
 * int32: `bits ^ ((bits >> 31) & 0x7fffffff)`, whose integer order is the values' order (-0 just before
 * +0, as Float64Array.prototype.sort). The first pass scatters the bits by the top 16 bits of their keys
 * straight into the result; `finish` sorts each bucket in place on the low 16 bits of the keys (two
 * 8-bit passes through a scratch array as large as the largest bucket, insertion sort for small
 * buckets). A bucket holds values of one sign, so its keys are its bits XOR one constant: the bits are
 * what moves, and no pass turns keys back into values. Half the memory traffic of the float64 sort, and
 * no second copy of the tensor.
 */
export class Float32RadixSorter {
  private readonly counts = new Int32Array(float32Buckets);
  /** NaN, +Inf and -Inf met by `count`, in that order. */
  readonly nonFiniteCounts = new Float64Array(3);
  private starts: Int32Array | undefined;
  private next: Int32Array | undefined;
  private out: Int32Array | undefined;
  private low: Uint16Array | undefined;
  private total = 0;

  constructor() {
    warmFloat32Kernels();
  }

  /**
   * The counts of the values that another thread scatters (SharedPasses): they are counted apart, and
   * each bucket holds this thread's part first, then theirs.
   */
  private otherCounts: Int32Array | undefined;
  /** Where each bucket's part scattered by this thread ends (the other part starts there). */
  private ownEnds: Int32Array | undefined;

  /** countKeys' second array for `counts`, and for `otherCounts` (added to them when the counting ends). */
  private readonly twin = new Int32Array(float32Buckets);
  private otherTwin: Int32Array | undefined;

  /** Counts the finite values of bits[from, to) (float32 bit patterns); `other` for values another thread will scatter. */
  count(bits: Int32Array, from = 0, to = bits.length, other = false): void {
    if (other) {
      this.otherCounts ??= new Int32Array(float32Buckets);
      this.otherTwin ??= new Int32Array(float32Buckets);
      this.total += countKeys(bits, from, to, this.otherCounts, this.otherTwin, this.nonFiniteCounts);
    } else {
      this.total += countKeys(bits, from, to, this.counts, this.twin, this.nonFiniteCounts);
    }
  }

  /** After `begin`: where the values counted as `other` go in each bucket (after this thread's part). */
  otherNext(): Int32Array {
    if (!this.starts) throw new Error('Float32RadixSorter.otherNext before begin');
    // Nothing counted as other: that part is empty, at each bucket's end.
    return this.ownEnds ? this.ownEnds.slice() : this.starts.slice(1);
  }

  /** After the other thread's scatter: its final positions must be its buckets' ends. */
  checkOtherScatter(next: Int32Array): void {
    const starts = this.starts;
    if (!starts) throw new Error('Float32RadixSorter.checkOtherScatter before begin');
    for (let d = 0; d < float32Buckets; d++) {
      if (next[d] !== starts[d + 1]) throw new Error('Float32RadixSorter: the other scatter did not place the values counted for it');
    }
  }

  /** Finite values counted so far. */
  get length(): number {
    return this.total;
  }

  /**
   * Ends counting: allocates the result (one Int32Array of the finite count, or the front of `buffer`
   * when it is long enough) and the bucket offsets.
   */
  begin(buffer?: Int32Array): void {
    this.layOut();
    this.out = buffer && buffer.length >= this.total ? buffer.subarray(0, this.total) : new Int32Array(this.total);
  }

  /**
   * Ends counting for a scatter that keeps only each value's low 16 bits (scatterLow16): the bucket gives
   * the other 16, so the copy takes half the memory (2 bytes a value). Such a sort is not finished here;
   * BucketedValues takes the buckets. The copy is the front of `buffer` when it is long enough (shared
   * memory, say, for a helper thread to read).
   */
  beginLow16(buffer?: Uint16Array): void {
    this.layOut();
    this.low = buffer && buffer.length >= this.total ? buffer.subarray(0, this.total) : new Uint16Array(this.total);
  }

  /**
   * Bucket offsets from the counts (and, with another thread's counts, the totals and where this thread's
   * part of each bucket ends).
   */
  private layOut(): void {
    const { counts, twin, otherTwin } = this;
    const other = this.otherCounts;
    const starts = new Int32Array(float32Buckets + 1);
    const ownEnds = other ? new Int32Array(float32Buckets) : undefined;
    layOutBuckets(counts, twin, other, otherTwin, starts, ownEnds);
    this.ownEnds = ownEnds;
    this.starts = starts;
    this.next = starts.slice(0, float32Buckets);
  }

  /** After beginLow16: places the low 16 bits of the finite values of bits[from, to) in their buckets. */
  scatterLow16(bits: Int32Array, from = 0, to = bits.length): void {
    scatterLowBits(bits, from, to, this.next as Int32Array, this.low as Uint16Array);
  }

  /** After beginLow16 and the scatter: the low 16 bits of the values, bucket by bucket, and the 65537 bucket boundaries. */
  low16Buckets(): { readonly low: Uint16Array; readonly starts: Int32Array } {
    const low = this.low;
    const starts = this.starts;
    if (!low || !starts) throw new Error('Float32RadixSorter.low16Buckets before beginLow16');
    this.checkScattered();
    return { low, starts };
  }

  /** Places the keys of the finite values of bits[from, to) in their buckets. */
  scatter(bits: Int32Array, from = 0, to = bits.length): void {
    scatterKeys(bits, from, to, this.next as Int32Array, this.out as Int32Array);
  }

  /** Every value the count pass saw has been scattered. */
  private checkScattered(): void {
    const starts = this.starts as Int32Array;
    const next = this.next as Int32Array;
    const ends = this.ownEnds;
    for (let d = 0; d < float32Buckets; d++) {
      if (next[d] !== (ends ? ends[d] : starts[d + 1])) throw new Error('Float32RadixSorter: the scatter pass did not see the values the count pass saw');
    }
  }

  /**
   * Sorts every bucket and returns the sorted values. `onSorted(from, to)` is told, in order, each range
   * that is final (while it is still in cache), so that a caller can sum it at once.
   */
  finish(
    control: WorkControl = {},
    onSorted?: (sorted: Float32Array, from: number, to: number) => void,
    helper?: SortHelper,
  ): Float32Array {
    const out = this.out;
    const starts = this.starts;
    const next = this.next;
    if (!out || !starts || !next) throw new Error('Float32RadixSorter.finish before begin');
    this.checkScattered();
    const sorted = new Float32Array(out.buffer, out.byteOffset, out.length);
    let maxBucket = 0;
    for (let d = 0; d < float32Buckets; d++) if (this.counts[d] > maxBucket) maxBucket = this.counts[d];
    const scratch = new Int32Array(maxBucket > float32InsertionMax ? maxBucket : 0);
    const low = new Int32Array(256);
    const high = new Int32Array(256);
    if (helper && out.buffer instanceof SharedArrayBuffer && out.byteOffset === 0 && out.length >= sharedFinishFrom) {
      this.finishShared(out, starts, scratch, low, high, maxBucket, control, helper, (from, to) => onSorted?.(sorted, from, to));
    } else {
      sortEveryBucket(out, starts, scratch, control, onSorted);
    }
    this.out = undefined;
    return sorted;
  }

  /**
   * finish with another thread: the buckets are cut into chunks of about sharedChunkValues values,
   * which both threads claim in turn from a shared cursor (sortClaimedChunks), so neither waits while
   * work is left and a helper that is slow or never starts only leaves more to this thread. Ranges are
   * handed to `onSorted` in order as their chunks complete.
   */
  private finishShared(
    out: Int32Array,
    starts: Int32Array,
    scratch: Int32Array,
    low: Int32Array,
    high: Int32Array,
    maxBucket: number,
    control: WorkControl,
    helper: SortHelper,
    onSorted: (from: number, to: number) => void,
  ): void {
    const bounds = bucketChunks(starts, sharedChunkValues);
    const chunkCount = bounds.length - 1;
    const job: SharedSortJob = {
      values: out.buffer as SharedArrayBuffer,
      starts: new SharedArrayBuffer(starts.byteLength),
      chunks: new SharedArrayBuffer(bounds.length * 4),
      cursor: new SharedArrayBuffer(4),
      done: new SharedArrayBuffer(chunkCount * 4),
      maxBucket,
    };
    new Int32Array(job.starts).set(starts);
    new Int32Array(job.chunks).set(bounds);
    const cursor = new Int32Array(job.cursor);
    const done = new Int32Array(job.done);
    const chunks = new Int32Array(job.chunks);
    const sharedStarts = new Int32Array(job.starts);
    helper.sortChunks(job);
    let handed = 0;
    const handOver = (wait: boolean) => {
      while (handed < chunkCount) {
        if (Atomics.load(done, handed) === 0) {
          if (!wait) return;
          // The helper holds this chunk: wait for it, a little at a time, so that a cancel is seen.
          Atomics.wait(done, handed, 0, 20);
          if (control.signal?.aborted) throw new CancelledError();
          continue;
        }
        const from = sharedStarts[chunks[handed]];
        const to = sharedStarts[chunks[handed + 1]];
        if (to > from) onSorted(from, to);
        handed++;
      }
    };
    // One chunk at a time: claim, sort, then hand over whatever is complete in order.
    while (sortClaimedChunks(out, sharedStarts, chunks, cursor, done, scratch, low, high, 1) > 0) {
      if (control.signal?.aborted) throw new CancelledError();
      handOver(false);
    }
    handOver(true);
  }
}

/** Values of tensors from which a sort shares its finish with a helper thread, and of each chunk it shares. */
const sharedFinishFrom = 1 << 20;
const sharedChunkValues = 1 << 15;

/**
 * Chunks of whole buckets of at least `size` values each but the last: chunk k is buckets [result[k],
 * result[k + 1]). Each boundary is bisected from the bucket starts, a few steps a chunk: a loop over the
 * 65536 buckets costs milliseconds while V8 still interprets it.
 */
export function bucketChunks(starts: Int32Array, size: number): Int32Array {
  const bounds = [0];
  for (let d = 0; ;) {
    // The first bucket e > d with starts[e] >= starts[d] + size, or float32Buckets.
    const want = starts[d] + size;
    let lo = d + 1;
    let hi = float32Buckets;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] >= want) hi = mid;
      else lo = mid + 1;
    }
    bounds.push(lo);
    if (lo >= float32Buckets) break;
    d = lo;
  }
  return Int32Array.from(bounds);
}

/** What a helper thread needs to sort chunks of a float32 sort's buckets beside this one (see sortClaimedChunks). */
export interface SharedSortJob {
  /** The values being sorted (float32 bits), bucket by bucket. */
  readonly values: SharedArrayBuffer;
  /** Int32 bucket boundaries in `values` (65537 of them). */
  readonly starts: SharedArrayBuffer;
  /** Int32 chunk boundaries, as bucket indices. */
  readonly chunks: SharedArrayBuffer;
  /** Int32 cursor: the next chunk to claim. */
  readonly cursor: SharedArrayBuffer;
  /** Int32 per chunk: 1 once sorted (notified). */
  readonly done: SharedArrayBuffer;
  /** Largest bucket, for the scratch array. */
  readonly maxBucket: number;
}

/** A thread that can sort chunks of a float32 sort beside this one: it runs sortClaimedChunks on the job. */
export interface SortHelper {
  sortChunks(job: SharedSortJob): void;
}

/**
 * Claims chunks from `cursor` and sorts their buckets until none is left or `limit` chunks are done;
 * marks each in `done` and wakes a waiter; returns the chunks it sorted. A helper thread runs the same
 * function on the same shared memory (src/host/searchHelperMain.ts).
 */
export function sortClaimedChunks(
  values: Int32Array,
  starts: Int32Array,
  chunks: Int32Array,
  cursor: Int32Array,
  done: Int32Array,
  scratch: Int32Array,
  low: Int32Array,
  high: Int32Array,
  limit: number,
): number {
  const chunkCount = chunks.length - 1;
  let sortedChunks = 0;
  while (sortedChunks < limit) {
    const c = Atomics.add(cursor, 0, 1);
    if (c >= chunkCount) break;
    for (let d = chunks[c]; d < chunks[c + 1]; d++) {
      const a = starts[d];
      const b = starts[d + 1];
      if (b - a < 2) continue;
      sortFloat32Bucket(values, a, b, d, scratch, low, high);
    }
    Atomics.store(done, c, 1);
    Atomics.notify(done, c);
    sortedChunks++;
  }
  return sortedChunks;
}

/**
 * Sorts bucket `bucket` of a float32 sort's scattered bits, bits[from, to), in place (see
 * Float32RadixSorter); `scratch` must hold to - from values, `low` and `high` 256.
 */
function sortFloat32Bucket(bits: Int32Array, from: number, to: number, bucket: number, scratch: Int32Array, low: Int32Array, high: Int32Array): void {
  if (to - from < 2) return;
  warmBucketKernels();
  // Buckets below the middle hold negative values, whose keys flip all bits but the sign.
  const mask = bucket < 0x8000 ? 0x7fffffff : 0;
  if (to - from <= float32InsertionMax) insertionSortBits(bits, from, to, mask);
  else sortLow16(bits, from, to, mask, scratch, low, high);
}

/** Sorts float32 values ascending (-0 before +0) into a new array; NaN and ±Inf are left out. */
export function sortFloat32(values: Float32Array, control: WorkControl = {}): Float32Array {
  return sortFloat32Values(values, control);
}

/**
 * Counts the first digit of the keys of the finite values of bits[from, to), and NaN, +Inf and -Inf into
 * nonFinite[0..2]; returns how many were finite.
 */
export function countKeys(bits: Int32Array, from: number, to: number, counts: Int32Array, twin: Int32Array, nonFinite: Float64Array): number {
  // Values in pairs, the second of each counted in `twin` (the caller adds the two): one array's
  // increments of one bucket wait on each other, and two halve that wait (measured: 17 ms against 25
  // for 10^7 values here).
  let skipped = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
    const u = bits[i];
    const v = bits[i + 1];
    if ((u & float32ExponentMask) === float32ExponentMask || (v & float32ExponentMask) === float32ExponentMask) {
      skipped += countEach(bits, i, i + 2, counts, nonFinite);
      continue;
    }
    counts[((u ^ ((u >> 31) & 0x7fffffff)) >>> 16) ^ 0x8000]++;
    twin[((v ^ ((v >> 31) & 0x7fffffff)) >>> 16) ^ 0x8000]++;
  }
  if (i < to) skipped += countEach(bits, i, to, counts, nonFinite);
  return to - from - skipped;
}

/** countKeys one value at a time (pairs with a non-finite value, a last odd one): returns how many it skipped. */
function countEach(bits: Int32Array, from: number, to: number, counts: Int32Array, nonFinite: Float64Array): number {
  let skipped = 0;
  for (let i = from; i < to; i++) {
    const u = bits[i];
    if ((u & float32ExponentMask) === float32ExponentMask) {
      nonFinite[(u & 0x7fffff) !== 0 ? 0 : u > 0 ? 1 : 2]++;
      skipped++;
      continue;
    }
    counts[((u ^ ((u >> 31) & 0x7fffffff)) >>> 16) ^ 0x8000]++;
  }
  return skipped;
}

/**
 * Float32RadixSorter.layOut's loop: it runs once, mostly before V8 compiles it, at tens of ns a turn; in
 * a function that returns when it ends, as the stores after it, which had not run yet, made V8 throw the
 * compiled loop away (on both threads of a search).
 */
function layOutBuckets(
  counts: Int32Array, twin: Int32Array, other: Int32Array | undefined, otherTwin: Int32Array | undefined,
  starts: Int32Array, ownEnds: Int32Array | undefined,
): void {
  for (let d = 0, at = 0; d < float32Buckets; d++) {
    counts[d] += twin[d];
    if (other && ownEnds && otherTwin) {
      ownEnds[d] = at + counts[d];
      counts[d] += other[d] + otherTwin[d];
    }
    at += counts[d];
    starts[d + 1] = at;
  }
}

/** Writes the keys of the finite values of bits[from, to) at their buckets' next places. */
export function scatterKeys(bits: Int32Array, from: number, to: number, next: Int32Array, out: Int32Array): void {
  for (let i = from; i < to; i++) {
    const u = bits[i];
    if ((u & float32ExponentMask) === float32ExponentMask) continue;
    const key = u ^ ((u >> 31) & 0x7fffffff);
    out[next[(key >>> 16) ^ 0x8000]++] = u;
  }
}

/**
 * Sorts every bucket of a float32 sort's scattered bits in place, in order, telling `onSorted` each bucket
 * as it is final; `scratch` must hold the largest bucket.
 */
export function sortEveryBucket(bits: Int32Array, starts: Int32Array, scratch: Int32Array, control: WorkControl = {}, onSorted?: (sorted: Float32Array, from: number, to: number) => void): void {
  const sorted = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const low = new Int32Array(256);
  const high = new Int32Array(256);
  let sinceCheck = 0;
  for (let d = 0; d < float32Buckets; d++) {
    const a = starts[d];
    const b = starts[d + 1];
    if (b === a) continue;
    sortFloat32Bucket(bits, a, b, d, scratch, low, high);
    sinceCheck += b - a;
    if (sinceCheck >= abortCheckStride) {
      if (control.signal?.aborted) throw new CancelledError();
      sinceCheck = 0;
    }
    onSorted?.(sorted, a, b);
  }
}

/** scatterKeys keeping each value's low 16 bits (its bucket holds the rest). */
export function scatterLowBits(bits: Int32Array, from: number, to: number, next: Int32Array, out: Uint16Array): void {
  for (let i = from; i < to; i++) {
    const u = bits[i];
    if ((u & float32ExponentMask) === float32ExponentMask) continue;
    const key = u ^ ((u >> 31) & 0x7fffffff);
    out[next[(key >>> 16) ^ 0x8000]++] = u;
  }
}

let float32KernelsWarm = false;

/**
 * Runs each float32 sort kernel a few times on a few values, so that every kernel has type feedback for
 * the code after its loop before it meets a long input. Without it, V8 compiles the first long call's
 * loop on the fly, that code deoptimises at the loop's exit for want of feedback, and V8 re-enters the
 * same code on every later call (each chunk, each bucket) and deoptimises again: several times slower,
 * and the interpreter's boxed numbers fill the young generation (hundreds of scavenges a pass). One call
 * is not enough: V8 gives a function somewhere to keep feedback only after it has run a little.
 */
function warmFloat32Kernels(): void {
  if (float32KernelsWarm) return;
  float32KernelsWarm = true;
  const values = Float32Array.of(3, -1, NaN, 0.5, Infinity, -0, 2, -Infinity, 1.5);
  const bits = new Int32Array(values.buffer);
  const counts = new Int32Array(float32Buckets);
  const next = new Int32Array(float32Buckets);
  const out = new Int32Array(bits.length);
  for (let round = 0; round < warmRounds; round++) {
    countKeys(bits, 0, bits.length, counts, counts, new Float64Array(3));
    countKeys(bits, 1, bits.length, counts, counts, new Float64Array(3));
    next.fill(0);
    scatterKeys(bits, 0, bits.length, next, out);
    next.fill(0);
    scatterLowBits(bits, 0, bits.length, next, new Uint16Array(bits.length));
  }
}

let bucketKernelsWarm = false;

/** Warms every float32 sort kernel now: for a thread that has time before it sorts (the search helper). */
export function warmSortKernels(): void {
  warmFloat32Kernels();
  warmBucketKernels();
}

/**
 * warmFloat32Kernels for the kernels that sort within a bucket, run before the first bucket is sorted:
 * a search that never sorts (a grid over the buckets) then never compiles them (measured: 25 ms of
 * V8's compiling on a 10^7-element search).
 */
function warmBucketKernels(): void {
  if (bucketKernelsWarm) return;
  bucketKernelsWarm = true;
  const keys = new Int32Array(float32InsertionMax + 9);
  for (let i = 0; i < keys.length; i++) keys[i] = (i * 7919) % 97 - 40;
  const scratch = new Int32Array(keys.length);
  const low = new Int32Array(256);
  const high = new Int32Array(256);
  for (let round = 0; round < warmRounds; round++) {
    for (const mask of [0, 0x7fffffff]) {
      insertionSortBits(keys.slice(), 0, keys.length, mask);
      sortLow16(keys.slice(), 0, keys.length, mask, scratch, low, high);
    }
  }
}

/** Insertion sort of float32 bits of one bucket, whose keys are `bits ^ mask`. */
function insertionSortBits(a: Int32Array, from: number, to: number, mask: number): void {
  for (let i = from + 1; i < to; i++) {
    const u = a[i];
    const k = u ^ mask;
    let j = i - 1;
    while (j >= from && (a[j] ^ mask) > k) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = u;
  }
}

/**
 * Sorts the float32 bits of one bucket, a[from, to), on the low 16 bits of their keys `bits ^ mask`
 * (the top 16 are the bucket's): one pass counts both bytes, then the low byte moves them into
 * `scratch` and the high byte back (a pass whose byte is the same for every value is skipped).
 */
function sortLow16(a: Int32Array, from: number, to: number, mask: number, scratch: Int32Array, low: Int32Array, high: Int32Array): void {
  low.fill(0);
  high.fill(0);
  for (let i = from; i < to; i++) {
    const k = a[i] ^ mask;
    low[k & 0xff]++;
    high[(k >>> 8) & 0xff]++;
  }
  const m = to - from;
  const first = a[from] ^ mask;
  const lowSame = low[first & 0xff] === m;
  const highSame = high[(first >>> 8) & 0xff] === m;
  let s = 0;
  for (let d = 0; d < 256; d++) {
    const c = low[d];
    low[d] = s;
    s += c;
  }
  s = from;
  for (let d = 0; d < 256; d++) {
    const c = high[d];
    high[d] = s;
    s += c;
  }
  if (lowSame) {
    if (highSame) return;
    for (let i = from; i < to; i++) scratch[i - from] = a[i];
  } else {
    for (let i = from; i < to; i++) {
      const u = a[i];
      scratch[low[(u ^ mask) & 0xff]++] = u;
    }
  }
  if (highSame) {
    for (let i = 0; i < m; i++) a[from + i] = scratch[i];
    return;
  }
  for (let i = 0; i < m; i++) {
    const u = scratch[i];
    a[high[((u ^ mask) >>> 8) & 0xff]++] = u;
  }
}

/** Calls that warm a kernel: V8 allocates a function's feedback vector only after a few (lazy feedback allocation). */
export const warmRounds = 12;

/** Values converted to float32 bits at a time when a float64 array is sorted on 32-bit keys. */
const conversionChunk = 1 << 14;

/**
 * Sorts values that are all float32 (a Float32Array, or a Float64Array whose every value converts
 * exactly) on 32-bit keys into a new Float32Array, telling `onSorted` each final range in order. A
 * Float64Array is converted a small chunk at a time in each pass, so no float32 copy is made.
 */
export function sortFloat32Values(
  values: Float64Array | Float32Array,
  control: WorkControl = {},
  onSorted?: (sorted: Float32Array, from: number, to: number) => void,
): Float32Array {
  const sorter = new Float32RadixSorter();
  if (values instanceof Float32Array) {
    const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
    sorter.count(bits);
    if (control.signal?.aborted) throw new CancelledError();
    sorter.begin();
    sorter.scatter(bits);
    return sorter.finish(control, onSorted);
  }
  const chunk = new Float32Array(Math.min(conversionChunk, values.length));
  const bits = new Int32Array(chunk.buffer);
  for (let pass = 0; pass < 2; pass++) {
    for (let start = 0; start < values.length; start += conversionChunk) {
      if ((start & (abortCheckStride - 1)) === 0 && control.signal?.aborted) throw new CancelledError();
      const count = Math.min(conversionChunk, values.length - start);
      chunk.set(values.subarray(start, start + count));
      if (pass === 0) sorter.count(bits, 0, count);
      else sorter.scatter(bits, 0, count);
    }
    if (pass === 0) sorter.begin();
  }
  return sorter.finish(control, onSorted);
}
