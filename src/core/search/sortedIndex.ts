import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { CompensatedSum } from '../quant/compensatedSum';
import type { PreparedValues } from '../quant/preparedValues';

/** Values per block: run sums are read at block granularity; a run's ragged ends are summed value by value. */
export const blockLength = 32;
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

/** Largest |x| for which x² and the double-double products stay far from overflow. */
const maxSafeMagnitude = 2 ** 400;

/**
 * The sorted finite values with double-double prefix sums of x and x² at block boundaries, restarted
 * per superblock, plus each superblock's totals. Memory: 4 doubles per block (one eighth of the values'
 * size) plus the sorted copy the percentiles need anyway.
 */
export interface SortedIndex {
  readonly sorted: Float64Array;
  readonly n: number;
  /** Full blocks: values [0, blockCount·blockLength) lie in blocks. */
  readonly blockCount: number;
  /** Prefix within the superblock at each block boundary b (0 where b starts a superblock): hi and lo words. */
  readonly local1Hi: Float64Array;
  readonly local1Lo: Float64Array;
  readonly local2Hi: Float64Array;
  readonly local2Lo: Float64Array;
  /** Each superblock's sums of x and x² (double-double). */
  readonly super1Hi: Float64Array;
  readonly super1Lo: Float64Array;
  readonly super2Hi: Float64Array;
  readonly super2Lo: Float64Array;
  /** Running sums over superblocks of Σ|x| and Σx² (plain doubles: they only size error bounds). */
  readonly cumAbs: Float64Array;
  readonly cumSquares: Float64Array;
  /** Σx² over every finite value (double-double, as hi + lo), the signal of sqnrDb. */
  readonly signalSquares: number;
  /** False when magnitudes are too extreme for the sums to be trusted: every evaluation then goes value by value. */
  readonly isSafe: boolean;
}

const cache = new WeakMap<PreparedValues, SortedIndex>();

/** Sorts once and builds the block sums once per prepared tensor (cached). */
export function sortedIndexOf(prepared: PreparedValues, control: WorkControl = {}): SortedIndex {
  let index = cache.get(prepared);
  if (!index) {
    const sorted = prepared.sortWith(control);
    if (control.signal?.aborted) throw new CancelledError();
    index = buildSortedIndex(sorted, control);
    cache.set(prepared, index);
  }
  return index;
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
export function buildSortedIndex(sorted: Float64Array, control: WorkControl = {}): SortedIndex {
  const n = sorted.length;
  const blockCount = Math.floor(n / blockLength);
  const superCount = Math.ceil(blockCount / blocksPerSuperblock);
  const maxAbs = n === 0 ? 0 : Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]));
  const isSafe = maxAbs <= maxSafeMagnitude;
  const exactSquares = isSafe && hasExactSquares(sorted, maxAbs);
  const local1Hi = new Float64Array(blockCount + 1);
  const local1Lo = new Float64Array(blockCount + 1);
  const local2Hi = new Float64Array(blockCount + 1);
  const local2Lo = new Float64Array(blockCount + 1);
  const super1Hi = new Float64Array(superCount);
  const super1Lo = new Float64Array(superCount);
  const super2Hi = new Float64Array(superCount);
  const super2Lo = new Float64Array(superCount);
  const cumAbs = new Float64Array(superCount + 1);
  const cumSquares = new Float64Array(superCount + 1);
  let sigHi = 0;
  let sigLo = 0;
  for (let s = 0; s < superCount; s++) {
    if ((s & 63) === 0 && control.signal?.aborted) throw new CancelledError();
    let h1 = 0;
    let l1 = 0;
    let h2 = 0;
    let l2 = 0;
    let abs = 0;
    const bEnd = Math.min(blockCount, (s + 1) * blocksPerSuperblock);
    for (let b = s * blocksPerSuperblock; b < bEnd; b++) {
      local1Hi[b] = h1;
      local1Lo[b] = l1;
      local2Hi[b] = h2;
      local2Lo[b] = l2;
      const iEnd = (b + 1) * blockLength;
      if (exactSquares) {
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
        for (let i = b * blockLength; i < iEnd; i++) {
          const x = sorted[i];
          let t = h1 + x;
          let z = t - h1;
          l1 += (h1 - (t - z)) + (x - z);
          h1 = t;
          // Dekker's exact product x·x = p + pe.
          const c = 134217729 * x;
          const xh = c - (c - x);
          const xl = x - xh;
          const p = x * x;
          const pe = ((xh * xh - p) + 2 * xh * xl) + xl * xl;
          t = h2 + p;
          z = t - h2;
          l2 += (h2 - (t - z)) + (p - z) + pe;
          h2 = t;
          abs += Math.abs(x);
        }
      }
      let t = h1 + l1;
      l1 -= t - h1;
      h1 = t;
      t = h2 + l2;
      l2 -= t - h2;
      h2 = t;
    }
    if (bEnd === blockCount) {
      local1Hi[bEnd] = h1;
      local1Lo[bEnd] = l1;
      local2Hi[bEnd] = h2;
      local2Lo[bEnd] = l2;
    }
    super1Hi[s] = h1;
    super1Lo[s] = l1;
    super2Hi[s] = h2;
    super2Lo[s] = l2;
    cumAbs[s + 1] = cumAbs[s] + abs;
    cumSquares[s + 1] = cumSquares[s] + h2;
    // Signal: double-double sum of the superblock totals.
    const t = sigHi + h2;
    const z = t - sigHi;
    sigLo += (sigHi - (t - z)) + (h2 - z) + l2;
    sigHi = t;
  }
  // Values after the last full block.
  for (let i = blockCount * blockLength; i < n; i++) {
    const x = sorted[i];
    const p = x * x;
    const c = 134217729 * x;
    const xh = c - (c - x);
    const xl = x - xh;
    const pe = ((xh * xh - p) + 2 * xh * xl) + xl * xl;
    const t = sigHi + p;
    const z = t - sigHi;
    sigLo += (sigHi - (t - z)) + (p - z) + pe;
    sigHi = t;
  }
  if (blockCount % blocksPerSuperblock === 0 && blockCount > 0) {
    // The last boundary starts a (non-existent) superblock: its local prefix is 0.
    local1Hi[blockCount] = 0;
    local1Lo[blockCount] = 0;
    local2Hi[blockCount] = 0;
    local2Lo[blockCount] = 0;
  }
  return {
    sorted, n, blockCount,
    local1Hi, local1Lo, local2Hi, local2Lo,
    super1Hi, super1Lo, super2Hi, super2Lo,
    cumAbs, cumSquares,
    signalSquares: isSafe ? sigHi + sigLo : plainSignal(sorted),
    isSafe,
  };
}

/** Σx² as the direct pass adds it (Infinity when a square overflows), for tensors too extreme for the block sums. */
function plainSignal(sorted: Float64Array): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < sorted.length; i++) sum.add(sorted[i] * sorted[i]);
  return sum.value;
}
