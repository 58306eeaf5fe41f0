import { codeOf, type AffineParams } from './affineParams';
/** Equal-width bins: counts[i] covers [edges[i], edges[i+1]), the last bin closed as numpy.histogram. */
export interface Histogram {
  readonly edges: number[];
  readonly counts: number[];
}

/** Bins shown for values and errors: enough to see a tail, few enough to send to a webview. */
export const defaultHistogramBins = 128;

/** numpy.histogram-style bins over [lo, hi], filled value by value, so that a streamed tensor's chunks fill them in turn. */
export class HistogramBins {
  private readonly counts: number[];
  private readonly lo: number;
  private readonly hi: number;
  private readonly width: number;

  constructor(lo: number, hi: number, private readonly bins = defaultHistogramBins) {
    if (!(hi > lo)) {
      // One bin around a single value, as numpy widens a degenerate range by ±0.5.
      lo -= 0.5;
      hi += 0.5;
    }
    this.lo = lo;
    this.hi = hi;
    this.width = (hi - lo) / bins;
    this.counts = new Array<number>(bins).fill(0);
  }

  /** Counts one value; values outside [lo, hi] are ignored. */
  add(v: number): void {
    const b = this.binOf(v);
    if (b >= 0) this.counts[b]++;
  }

  /**
   * The bin `add` counts v in, -1 outside [lo, hi]. Monotone in v: over sorted values each bin is one run,
   * which lets a report count bins by binary search (sortedHistograms).
   */
  binOf(v: number): number {
    if (!(v >= this.lo && v <= this.hi)) return -1;
    const b = Math.floor((v - this.lo) / this.width);
    return b >= this.bins ? this.bins - 1 : b;
  }

  /** Counts `count` values in bin b at once. */
  addToBin(b: number, count: number): void {
    this.counts[b] += count;
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
  }

  result(): Histogram {
    const edges = new Array<number>(this.bins + 1);
    for (let i = 0; i <= this.bins; i++) edges[i] = this.lo + i * this.width;
    edges[this.bins] = this.hi;
    return { edges, counts: [...this.counts] };
  }
}

/** numpy.histogram-style binning of values over [lo, hi]; values outside are ignored. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins = defaultHistogramBins): Histogram {
  const result = new HistogramBins(lo, hi, bins);
  result.addAll(values);
  return result.result();
}

/** Use of each code level, grouped into at most `maxBins` equal groups of levels (16-bit codes have 65536). */
export interface CodeHistogram {
  /** Levels per bin: 1 up to 8 bits with 256 bins. */
  readonly levelsPerBin: number;
  readonly counts: number[];
  /** How many of the 2^b levels are used at least once. */
  readonly usedLevels: number;
}

/** Groups per-level code counts (index: code) into at most `maxBins` equal groups of levels. */
export function groupCodeLevels(levels: Uint32Array, maxBins = 256): CodeHistogram {
  let used = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i] > 0) used++;
  const levelsPerBin = Math.max(1, Math.ceil(levels.length / maxBins));
  const counts = new Array<number>(Math.ceil(levels.length / levelsPerBin)).fill(0);
  for (let i = 0; i < levels.length; i++) counts[Math.floor(i / levelsPerBin)] += levels[i];
  return { levelsPerBin, counts, usedLevels: used };
}

/**
 * Bins the quantization error x - x_hat of every finite value, as a report's error histogram shows it;
 * the bins' range comes from an earlier pass (codeLevelsAndErrorRange, or the streamed report's).
 */
export function addQuantizationErrors(bins: HistogramBins, values: ArrayLike<number>, p: AffineParams): void {
  const { scale, zeroPoint, qmax } = p;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const q = codeOf(v, scale, zeroPoint, qmax);
    bins.add(v - scale * (q - zeroPoint));
  }
}

/**
 * How often each code level is used by the finite values, and their smallest and largest error: the
 * code histogram and the error histogram's range in one pass, without keeping a code or an error per
 * value (100 MB for 10^7 values).
 */
export function codeLevelsAndErrorRange(values: ArrayLike<number>, p: AffineParams): { levels: Uint32Array; min: number; max: number } {
  const { scale, zeroPoint, qmax } = p;
  const levels = new Uint32Array(qmax + 1);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const q = codeOf(v, scale, zeroPoint, qmax);
    levels[q]++;
    const e = v - scale * (q - zeroPoint);
    if (e < min) min = e;
    if (e > max) max = e;
  }
  return { levels, min, max };
}
