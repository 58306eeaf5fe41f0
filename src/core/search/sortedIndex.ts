import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { CompensatedSum } from '../quant/compensatedSum';
import type { FloatValues } from '../quant/metrics';
import { addMoments, momentSums, type MomentSums } from '../quant/summaryStats';
import { warmRounds } from './radixSort';
import type { PreparedValues } from '../quant/preparedValues';

/** Values per block: run sums are read at block granularity; a run's ragged ends are summed value by value. */
export const blockLength = 64;
/** Float32 values of one sign and one exponent whose sums of x and x² are exact in float64 (see consume). */
export const exactRunLength = 32;
/** Blocks per superblock: prefix sums restart at every superblock, which bounds their rounding error. */
export const blocksPerSuperblock = 128;
/** Values per superblock. */
export const superblockLength = blockLength * blocksPerSuperblock;

/** Unit roundoff of float64. */
const u = 2 ** -53;
/**
 * Bound on the error of a within-superblock double-double prefix, relative to the superblock's sum of
 * |x| (or x²): each value adds at most (blockLength + 1)·u² of it (the low word is renormalised per block).
 */
export const prefixErrorCoefficient = 4 * (blockLength + 2) * superblockLength * u * u;

/** The sign and exponent bits of a float32, and its exponent alone. */
const sameBinaryMask = 0xff800000 | 0;
const float32Exponent = 0x7f800000;

/** Distance between two entries of SortedIndex.samples. */
export const sampleStride = 64;

/** Largest |x| for which x² and the double-double products stay far from overflow. */
const maxSafeMagnitude = 2 ** 400;

/**
 * The sorted finite values with double-double prefix sums of x and x² at block boundaries, restarted
 * per superblock, plus each superblock's totals. Memory: 4 doubles per block (one eighth of the values'
 * size) plus the sorted copy the percentiles need anyway.
 */
export interface SortedIndex {
  readonly sorted: FloatValues;
  readonly n: number;
  /** Full blocks: values [0, blockCount·blockLength) lie in blocks. */
  readonly blockCount: number;
  /**
   * Prefix within the superblock at each block boundary b (0 where b starts a superblock), four numbers
   * per boundary so that one cache line holds them: Σx hi, Σx lo, Σx² hi, Σx² lo at 4b..4b+3.
   */
  readonly local: Float64Array;
  /** Each superblock's sums of x and x² (double-double), four numbers per superblock as in `local`. */
  readonly superSums: Float64Array;
  /** Every sampleStride-th sorted value: searches narrow to a few cache lines here before they touch `sorted`. */
  readonly samples: Float64Array;
  /** Every sampleStride-th sample (every sampleStride² values): small enough to stay in the first-level cache. */
  readonly coarseSamples: Float64Array;
  /** Running sums over superblocks of Σ|x| and Σx² (plain doubles: they only size error bounds). */
  readonly cumAbs: Float64Array;
  readonly cumSquares: Float64Array;
  /** Σx² over every finite value (double-double, as hi + lo), the signal of sqnrDb. */
  readonly signalSquares: number;
  /** False when magnitudes are too extreme for the sums to be trusted: every evaluation then goes value by value. */
  readonly isSafe: boolean;
  /** Σx and Σx² over every finite value (double-double), for the summary statistics. */
  readonly moments: MomentSums;
}

const cache = new WeakMap<PreparedValues, SortedIndex>();

/** Sorts once and builds the block sums once per prepared tensor (cached); a float32 sort feeds the sums bucket by bucket. */
export function sortedIndexOf(prepared: PreparedValues, control: WorkControl = {}): SortedIndex {
  let index = cache.get(prepared);
  if (!index) {
    let builder: SortedIndexBuilder | undefined;
    const sorted = prepared.sortWith(control, (values, _from, to) => {
      builder ??= new SortedIndexBuilder(values, control);
      builder.consume(to);
    });
    if (control.signal?.aborted) throw new CancelledError();
    if (!builder || builder.sorted !== sorted) builder = new SortedIndexBuilder(sorted, control);
    builder.consume(sorted.length);
    index = builder.finish();
    cache.set(prepared, index);
  }
  return index;
}

/** True when `prepared` has its sorted index already (sortedIndexOf then costs nothing). */
export function hasSortedIndex(prepared: PreparedValues): boolean {
  return cache.has(prepared);
}

/** Records an index built beside the sort (a streamed tensor), so that searches on `prepared` reuse it. */
export function rememberSortedIndex(prepared: PreparedValues, index: SortedIndex): void {
  cache.set(prepared, index);
}

/** True when every value is a float32 (low 29 mantissa bits zero), so x·x is exact in float64. */
function hasExactSquares(sorted: Float64Array, maxAbs: number): boolean {
  if (!(maxAbs <= 2 ** 127)) return false;
  const words = new Int32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2);
  let low = 0;
  for (let i = 0; i < sorted.length; i++) low |= (words[2 * i] & 0x1fffffff);
  if (low !== 0) return false;
  // Subnormal float32-sized values square below float64's normal range; require none.
  for (let i = 0; i < sorted.length; i++) {
    const a = Math.abs(sorted[i]);
    if (a !== 0 && a < 2 ** -126) return false;
  }
  return true;
}

/** Builds the block structure over already-sorted finite values. */
export function buildSortedIndex(sorted: FloatValues, control: WorkControl = {}): SortedIndex {
  const builder = new SortedIndexBuilder(sorted, control);
  builder.consume(sorted.length);
  return builder.finish();
}

/**
 * Builds the block sums front to back, so that a sort can hand over each range as soon as it is final
 * (`consume(upTo)`, while the range is still in cache). A Float32Array needs no look ahead: its squares
 * are exact in float64 (24-bit significands, and even subnormal squares stay far inside float64's
 * range) and its magnitudes are safe; a Float64Array must be whole, as those facts are checked first.
 */
export class SortedIndexBuilder {
  readonly n: number;
  private readonly blockCount: number;
  private readonly isSafe: boolean;
  private readonly exactSquares: boolean;
  private readonly local: Float64Array;
  private readonly superSums: Float64Array;
  private readonly samples: Float64Array;
  private readonly cumAbs: Float64Array;
  private readonly cumSquares: Float64Array;
  /** The bits of a Float32Array's values, which tell when a block's sums are exact in plain float64. */
  private readonly bits: Int32Array | undefined;
  /** Next block to sum, and the running sums of its superblock. */
  private block = 0;
  private h1 = 0;
  private l1 = 0;
  private h2 = 0;
  private l2 = 0;
  private abs = 0;
  private sigHi = 0;
  private sigLo = 0;
  /** Scratch for addMoments in `consume`. */
  private readonly ddState = new Float64Array(4);

  /** `shared`: every table in shared memory, so that another thread can measure ranges on the index (sharedMeasure). */
  constructor(readonly sorted: FloatValues, private readonly control: WorkControl = {}, private readonly shared = false) {
    warmIndexKernels();
    const n = sorted.length;
    this.n = n;
    const blockCount = Math.floor(n / blockLength);
    this.blockCount = blockCount;
    const superCount = Math.ceil(blockCount / blocksPerSuperblock);
    if (sorted instanceof Float32Array) {
      this.isSafe = true;
      this.exactSquares = true;
      this.bits = new Int32Array(sorted.buffer, sorted.byteOffset, n);
    } else {
      const maxAbs = n === 0 ? 0 : Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
      this.isSafe = maxAbs <= maxSafeMagnitude;
      this.exactSquares = this.isSafe && hasExactSquares(sorted, maxAbs);
    }
    this.local = this.table(4 * (blockCount + 1));
    this.superSums = this.table(4 * superCount);
    this.samples = this.table(Math.ceil(n / sampleStride));
    this.cumAbs = this.table(superCount + 1);
    this.cumSquares = this.table(superCount + 1);
  }

  private table(length: number): Float64Array {
    return this.shared ? new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT)) : new Float64Array(length);
  }

  /** Sums every full block that ends at or before `upTo` (values before it must be final). */
  consume(upTo: number): void {
    const bLast = Math.min(this.blockCount, Math.floor(upTo / blockLength));
    let b = this.block;
    if (b >= bLast) return;
    const sorted = this.sorted;
    const { local, samples, exactSquares, bits } = this;
    let { h1, l1, h2, l2, abs } = this;
    while (b < bLast) {
      if (b % blocksPerSuperblock === 0) {
        if (((b / blocksPerSuperblock) & 63) === 0 && this.control.signal?.aborted) throw new CancelledError();
        h1 = l1 = h2 = l2 = abs = 0;
      }
      const bEnd = Math.min(bLast, (Math.floor(b / blocksPerSuperblock) + 1) * blocksPerSuperblock);
      for (; b < bEnd; b++) {
        local[4 * b] = h1;
        local[4 * b + 1] = l1;
        local[4 * b + 2] = h2;
        local[4 * b + 3] = l2;
        const iStart = b * blockLength;
        if (iStart % sampleStride === 0) samples[iStart / sampleStride] = sorted[iStart];
        const iEnd = iStart + blockLength;
        const u0 = bits ? bits[iStart] : 0;
        if (bits && ((u0 ^ bits[iEnd - 1]) & sameBinaryMask) === 0 && (u0 & float32Exponent) !== 0) {
          // One sign and one exponent e (sorted: the block's ends decide): x is a multiple of 2^(e-23)
          // below 2^(e+1) and x² one of 2^(2e-46) below 2^(2e+2), so 32 of them sum exactly in 29 and
          // 53 bits. Plain sums of each 32, then double-double additions.
          for (let r = iStart; r < iEnd; r += exactRunLength) {
            let s1 = 0;
            let s2 = 0;
            for (let i = r; i < r + exactRunLength; i++) {
              const x = sorted[i];
              s1 += x;
              s2 += x * x;
            }
            abs += Math.abs(s1);
            let t = h1 + s1;
            let z = t - h1;
            l1 += (h1 - (t - z)) + (s1 - z);
            h1 = t;
            t = h2 + s2;
            z = t - h2;
            l2 += (h2 - (t - z)) + (s2 - z);
            h2 = t;
          }
        } else if (exactSquares) {
          for (let i = b * blockLength; i < iEnd; i++) {
            const x = sorted[i];
            let t = h1 + x;
            let z = t - h1;
            l1 += (h1 - (t - z)) + (x - z);
            h1 = t;
            const p = x * x;
            t = h2 + p;
            z = t - h2;
            l2 += (h2 - (t - z)) + (p - z);
            h2 = t;
            abs += Math.abs(x);
          }
        } else {
          // Float64 values: x² through Dekker's exact product, as the summary's moments are summed.
          const st = this.ddState;
          st[0] = h1;
          st[1] = l1;
          st[2] = h2;
          st[3] = l2;
          addMoments(sorted, iStart, iEnd, st);
          h1 = st[0];
          l1 = st[1];
          h2 = st[2];
          l2 = st[3];
          for (let i = iStart; i < iEnd; i++) abs += Math.abs(sorted[i]);
        }
        let t = h1 + l1;
        l1 -= t - h1;
        h1 = t;
        t = h2 + l2;
        l2 -= t - h2;
        h2 = t;
      }
      if (b % blocksPerSuperblock === 0 || b === this.blockCount) this.closeSuperblock(b, h1, l1, h2, l2, abs);
    }
    this.block = b;
    this.h1 = h1;
    this.l1 = l1;
    this.h2 = h2;
    this.l2 = l2;
    this.abs = abs;
  }

  /** Stores the totals of the superblock that ends at block boundary `b`. */
  private closeSuperblock(b: number, h1: number, l1: number, h2: number, l2: number, abs: number): void {
    const s = Math.ceil(b / blocksPerSuperblock) - 1;
    if (b === this.blockCount) {
      this.local[4 * b] = h1;
      this.local[4 * b + 1] = l1;
      this.local[4 * b + 2] = h2;
      this.local[4 * b + 3] = l2;
    }
    this.superSums[4 * s] = h1;
    this.superSums[4 * s + 1] = l1;
    this.superSums[4 * s + 2] = h2;
    this.superSums[4 * s + 3] = l2;
    this.cumAbs[s + 1] = this.cumAbs[s] + abs;
    this.cumSquares[s + 1] = this.cumSquares[s] + h2;
    // Signal: double-double sum of the superblock totals.
    const t = this.sigHi + h2;
    const z = t - this.sigHi;
    this.sigLo += (this.sigHi - (t - z)) + (h2 - z) + l2;
    this.sigHi = t;
  }

  /** The index, once every value has been consumed. */
  finish(): SortedIndex {
    const { sorted, n, blockCount } = this;
    if (this.block !== blockCount) throw new Error('SortedIndexBuilder.finish before every block was consumed');
    // Values after the last full block join the superblock totals.
    const tail = momentSums(sorted.subarray(blockCount * blockLength, n));
    let sigHi = this.sigHi;
    let sigLo = this.sigLo;
    let t = sigHi + tail.squaresHi;
    let z = t - sigHi;
    sigLo += (sigHi - (t - z)) + (tail.squaresHi - z) + tail.squaresLo;
    sigHi = t;
    let sumHi = tail.sumHi;
    let sumLo = tail.sumLo;
    const superSums = this.superSums;
    for (let s = 0; s < superSums.length; s += 4) {
      t = sumHi + superSums[s];
      z = t - sumHi;
      sumLo += (sumHi - (t - z)) + (superSums[s] - z) + superSums[s + 1];
      sumHi = t;
    }
    if (blockCount % blocksPerSuperblock === 0 && blockCount > 0) {
      // The last boundary starts a (non-existent) superblock: its local prefix is 0.
      this.local.fill(0, 4 * blockCount, 4 * blockCount + 4);
    }
    // Samples past the last full block.
    for (let k = Math.ceil((blockCount * blockLength) / sampleStride); k * sampleStride < n; k++) this.samples[k] = sorted[k * sampleStride];
    const coarseSamples = this.table(Math.ceil(this.samples.length / sampleStride));
    for (let k = 0; k < coarseSamples.length; k++) coarseSamples[k] = this.samples[k * sampleStride];
    return {
      sorted, n, blockCount,
      local: this.local, superSums: this.superSums, samples: this.samples, coarseSamples,
      cumAbs: this.cumAbs, cumSquares: this.cumSquares,
      signalSquares: this.isSafe ? sigHi + sigLo : plainSignal(sorted),
      isSafe: this.isSafe,
      moments: this.isSafe ? { sumHi, sumLo, squaresHi: sigHi, squaresLo: sigLo } : momentSums(sorted, n === 0 ? 0 : Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]))),
    };
  }
}

let indexKernelsWarm = false;

/**
 * Builds the index of one block of float32 values once, so that `consume`, which a streamed sort calls
 * bucket by bucket, has type feedback past its loops before a long call compiles them (see
 * warmFloat32Kernels in radixSort.ts).
 */
function warmIndexKernels(): void {
  if (indexKernelsWarm) return;
  indexKernelsWarm = true;
  const values = new Float32Array(blockLength + 1);
  for (let i = 0; i < values.length; i++) values[i] = i - 7.5;
  for (let round = 0; round < warmRounds; round++) {
    const builder = new SortedIndexBuilder(values);
    builder.consume(blockLength >> 1);
    builder.consume(values.length);
    builder.finish();
  }
}

/** Σx² as the direct pass adds it (Infinity when a square overflows), for tensors too extreme for the block sums. */
function plainSignal(sorted: FloatValues): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < sorted.length; i++) sum.add(sorted[i] * sorted[i]);
  return sum.value;
}
