import type { WorkControl } from '../formats/tensorFile';
import type { AffineParams } from '../quant/affineParams';
import { productError } from '../quant/exactProduct';
import { measureDirect, sqnrDb, type Metrics } from '../quant/metrics';
import type { OutlierFences } from '../quant/preparedValues';
import type { MomentSums } from '../quant/summaryStats';
import { BucketedValues, bucketCount } from './bucketedValues';
import { Float32RadixSorter, warmRounds } from './radixSort';
import { affineParams } from '../quant/affineParams';
import { firstKeyAbove, firstKeyAtLeast, firstKeyWhere, guessKey, valueOfKey } from './floatKeys';
import { pieceSums, type PieceSums } from './pieceSums';
import { acceptedRelativeError, codeOf } from './rangeEvaluator';

/** Unit roundoff of float64. */
const u = 2 ** -53;
/**
 * Most threshold keys one batch may ask for: each costs a few numbers per piece, and a bucket cut by many
 * pieces is summed more slowly than the sort would take it (16 bits at 10^7 values, say).
 */
const maxThresholds = 1 << 19;

/**
 * True when measureBucketed suits `ranges` ranges at `bits` bits on n values: the threshold keys (two per
 * code level) stay few against the values, so that most buckets are cut by few of them.
 */
export function bucketedMeasureApplies(n: number, bits: number, ranges: number): boolean {
  return ranges * (2 ** (bits + 1) + 3) <= Math.min(n / 4, maxThresholds);
}

/**
 * The metrics of many clipping ranges on bucketed values, without sorting them: every predicate a
 * metric depends on is monotone in x, so it is a threshold key (floatKeys) — where the code turns from q
 * to q + 1 (found with the exact code formula, so boundaries are those of the direct pass), where e = x - h
 * turns sign within a code (for Σ|e|), the clipping bounds and the outlier fences. One pass over the
 * buckets sums the values between consecutive keys of every range at once (pieceSums); each range's
 * metrics then come from prefix differences: within code q, x_hat = h and Σe² = Σx² - 2hΣx + k·h², Σ|e|
 * = ±(Σx - k·h) on each side of h, maxAbsError from the smallest and largest value of each code (|x - h|
 * is largest there), the counts exactly.
 *
 * Each result carries a proven bound on its rounding (double-double throughout, the piece sums exact per
 * bucket); a range whose bound is not far below its result (values sitting exactly on codes, say) is
 * measured by the direct pass instead, over the bucketed values in their order. So every figure agrees
 * with measureDirect's to the contract's 1e-12 and maxAbsError and the counts exactly.
 */
export function measureBucketed(values: BucketedValues, params: readonly AffineParams[], fences: OutlierFences, control: WorkControl = {}): Metrics[] {
  const keys = params.map((p) => (p.scale > 0 ? candidateKeys(p) : undefined));
  const fenceKeys = Int32Array.of(firstKeyAtLeast(fences.lower), firstKeyAbove(fences.upper));
  const { thresholds, indices } = rankKeys([...keys.filter((k): k is Int32Array => k !== undefined), fenceKeys]);
  const sums = pieceSums(values, thresholds, control);
  values.rememberMoments(momentsOf(sums));
  control.onProgress?.(0.9);
  const evaluator = new CandidateEvaluator(sums, values.n, indices[indices.length - 2], indices[indices.length - 1]);
  let at = 0;
  return params.map((p, i) => {
    const k = keys[i];
    let m: Metrics | undefined;
    if (k) {
      m = evaluator.measure(p, indices.subarray(at, at + k.length));
      at += k.length;
    }
    return m ?? measureDirect(values.values, p, fences);
  });
}

/** The moment sums of every value: the last prefix. */
function momentsOf(sums: PieceSums): MomentSums {
  const end = sums.m + 1;
  return { sumHi: sums.sumHi[end], sumLo: sums.sumLo[end], squaresHi: sums.squaresHi[end], squaresLo: sums.squaresLo[end] };
}

/** Σx and Σx² over every value (double-double), from the same exact bucket sums. */
export function bucketedMoments(values: BucketedValues, control: WorkControl = {}): MomentSums {
  return momentsOf(pieceSums(values, new Int32Array(0), control));
}

/**
 * The threshold keys of one range, in this layout: the first key of each code q + 1 (q < qmax), the first
 * key at or above each x_hat(q) (q <= qmax), the first key not clipped below, the first clipped above.
 */
function candidateKeys(p: AffineParams): Int32Array {
  const { scale, zeroPoint: zp, qmax } = p;
  const keys = new Int32Array(2 * qmax + 3);
  for (let q = 0; q < qmax; q++) keys[q] = firstKeyWhere((x) => codeOf(x, scale, zp, qmax) > q, guessKey((q + 0.5 - zp) * scale));
  for (let q = 0; q <= qmax; q++) keys[qmax + q] = firstKeyAtLeast(scale * (q - zp));
  keys[2 * qmax + 1] = firstKeyAtLeast(p.clipMin);
  keys[2 * qmax + 2] = firstKeyAbove(p.clipMax);
  return keys;
}

/** Key and slot in one exactly representable double (key·2^21 + slot): one numeric sort orders both. */
const slotScale = 2 ** 21;

/**
 * The distinct keys of all the arrays, ascending, and for every key of every array (concatenated in
 * order) its prefix index: 1 + its position among the distinct keys (see PieceSums).
 */
function rankKeys(arrays: readonly Int32Array[]): { thresholds: Int32Array; indices: Int32Array } {
  let total = 0;
  for (const a of arrays) total += a.length;
  if (total > slotScale) throw new RangeError(`${total} threshold keys: at most ${slotScale}`);
  const tagged = new Float64Array(total);
  let at = 0;
  for (const a of arrays) {
    for (let j = 0; j < a.length; j++, at++) tagged[at] = a[j] * slotScale + at;
  }
  tagged.sort();
  const thresholds = new Int32Array(total);
  const indices = new Int32Array(total);
  let w = 0;
  for (let i = 0; i < total; i++) {
    const v = tagged[i];
    const key = Math.floor(v / slotScale);
    if (w === 0 || thresholds[w - 1] !== key) thresholds[w++] = key;
    indices[v - key * slotScale] = w;
  }
  return { thresholds: thresholds.slice(0, w), indices };
}

/** One range's sums over its codes from the piece prefixes, in double-double, with their error bounds. */
class CandidateEvaluator {
  private eh = 0;
  private el = 0;
  private ah = 0;
  private al = 0;
  private ih = 0;
  private il = 0;
  private boundE = 0;
  private boundA = 0;
  private boundIn = 0;
  private adds = 0;
  private maxAbs = 0;
  // Outputs of rangeSquares: Σx (s1h + s1l), the count, and Σ(x - h)² (qh + ql) over a prefix range.
  private s1h = 0;
  private s1l = 0;
  private k = 0;
  private qh = 0;
  private ql = 0;
  /** Bounds on the error of one prefix of Σx and of Σx². */
  private readonly prefixError1: number;
  private readonly prefixError2: number;

  constructor(
    private readonly sums: PieceSums,
    private readonly n: number,
    private readonly fenceLo: number,
    private readonly fenceHi: number,
  ) {
    // Each prefix adds at most m + 1 pieces, each gathered from at most one share per bucket, every
    // double-double addition erring by at most 4u² of the running magnitude.
    const additions = sums.m + 2 + bucketCount;
    this.prefixError1 = 4 * u * u * additions * sums.absTotal;
    this.prefixError2 = 4 * u * u * additions * sums.squaresTotal;
  }

  /** The metrics of range p whose threshold keys (candidateKeys' layout) are at prefix indices `at`; undefined when not certified. */
  measure(p: AffineParams, at: Int32Array): Metrics | undefined {
    const { scale, zeroPoint: zp, qmax } = p;
    const s = this.sums;
    const end = s.m + 1;
    this.eh = this.el = this.ah = this.al = this.ih = this.il = 0;
    this.boundE = this.boundA = this.boundIn = 0;
    this.adds = 0;
    this.maxAbs = 0;
    for (let q = 0; q <= qmax; q++) {
      const lo = q === 0 ? 0 : at[q - 1];
      const hi = q === qmax ? end : at[q];
      if (hi <= lo) continue;
      const h = scale * (q - zp);
      const split = Math.min(Math.max(at[qmax + q], lo), hi);
      this.part(lo, split, h, -1);
      this.part(split, hi, h, 1);
    }
    const e = this.eh + this.el;
    const abs = this.ah + this.al;
    const ein = this.ih + this.il;
    const slack = (this.adds + 2) * 4 * u * u;
    const tiny = this.n * 2 ** -1020;
    if (this.boundE + slack * e + tiny > acceptedRelativeError * e) return undefined;
    if (this.boundA + slack * abs + tiny > acceptedRelativeError * abs) return undefined;
    if (this.boundIn + slack * ein + tiny > acceptedRelativeError * ein && ein > 0) return undefined;
    const n = this.n;
    const clipped = s.count[at[2 * qmax + 1]] + (n - s.count[at[2 * qmax + 2]]);
    const inliers = s.count[this.fenceHi] - s.count[this.fenceLo];
    return {
      mse: e / n,
      mae: abs / n,
      maxAbsError: this.maxAbs,
      sqnrDb: sqnrDb(s.squaresHi[end] + s.squaresLo[end], e),
      clippedCount: clipped,
      clippedFraction: clipped / n,
      mseInliers: inliers <= 0 ? 0 : ein / inliers,
    };
  }

  /** Adds the values of prefix range [x, y), all coded to h, whose errors x - h have sign `sign`. */
  private part(x: number, y: number, h: number, sign: number): void {
    if (!this.rangeSquares(x, y, h)) return;
    const s = this.sums;
    // maxAbsError: the range's smallest and largest values, with the direct pass's own |x - h|.
    const first = s.nextNonEmpty[x];
    const last = s.prevNonEmpty[y];
    const ea = Math.abs(valueOfKey(s.minKey[first]) - h);
    const eb = Math.abs(valueOfKey(s.maxKey[last]) - h);
    if (ea > this.maxAbs) this.maxAbs = ea;
    if (eb > this.maxAbs) this.maxAbs = eb;
    const { qh, ql, k } = this;
    this.eh = addHi(this.eh, this.el, qh, ql);
    this.el = ddLo;
    this.adds++;
    // Σ|e| = sign·(Σx - k·h).
    const ph = k * h;
    const pl = productError(k, h, ph);
    const yh = addHi(this.s1h, this.s1l, -ph, -pl);
    this.ah = addHi(this.ah, this.al, sign * yh, sign * ddLo);
    this.al = ddLo;
    const ah = Math.abs(h);
    this.boundA += 2 * this.prefixError1 + 8 * u * u * (Math.abs(this.s1h) + k * ah);
    const boundE = 2 * this.prefixError2 + 4 * ah * this.prefixError1 + 16 * u * u * (s.squaresHi[y] - s.squaresHi[x] + 2 * ah * Math.abs(this.s1h) + k * h * h);
    this.boundE += boundE;
    // Inliers: the part of [x, y) inside the fences.
    const fx = Math.max(x, this.fenceLo);
    const fy = Math.min(y, this.fenceHi);
    if (fy <= fx) return;
    if (fx === x && fy === y) {
      this.ih = addHi(this.ih, this.il, qh, ql);
      this.il = ddLo;
      this.boundIn += boundE;
    } else if (this.rangeSquares(fx, fy, h)) {
      this.ih = addHi(this.ih, this.il, this.qh, this.ql);
      this.il = ddLo;
      this.boundIn += 2 * this.prefixError2 + 4 * ah * this.prefixError1 + 16 * u * u * (s.squaresHi[fy] - s.squaresHi[fx] + 2 * ah * Math.abs(this.s1h) + this.k * h * h);
    }
  }

  /** Σx, the count and Σ(x - h)² = Σx² - 2h·Σx + k·h² over prefix range [x, y) into the fields; false when it is empty. */
  private rangeSquares(x: number, y: number, h: number): boolean {
    const s = this.sums;
    const k = s.count[y] - s.count[x];
    if (k === 0) return false;
    this.k = k;
    const s1h = addHi(s.sumHi[y], s.sumLo[y], -s.sumHi[x], -s.sumLo[x]);
    const s1l = ddLo;
    this.s1h = s1h;
    this.s1l = s1l;
    const s2h = addHi(s.squaresHi[y], s.squaresLo[y], -s.squaresHi[x], -s.squaresLo[x]);
    const s2l = ddLo;
    // 2h·Σx and k·h², exact as hi + lo.
    const h2 = 2 * h;
    const th = s1h * h2;
    const tl = productError(s1h, h2, th) + s1l * h2;
    const hh = h * h;
    const hl = productError(h, h, hh);
    const rh = hh * k;
    const rl = productError(hh, k, rh) + hl * k;
    const xh = addHi(s2h, s2l, -th, -tl);
    this.qh = addHi(xh, ddLo, rh, rl);
    this.ql = ddLo;
    return true;
  }
}

/** The low word of the last addHi. */
let ddLo = 0;

/** (ah + al) + (bh + bl) as a double-double: returns the high word, leaves the low one in ddLo. */
function addHi(ah: number, al: number, bh: number, bl: number): number {
  const t = ah + bh;
  const z = t - ah;
  const l = (ah - (t - z)) + (bh - z) + al + bl;
  const h = t + l;
  ddLo = l - (h - t);
  return h;
}

let kernelsWarm = false;

/**
 * Measures a few ranges on a few bucketed values, so that the per-bucket loops and the range evaluation
 * are compiled before a long call meets them (see warmFloat32Kernels in radixSort.ts). A stream preparer
 * calls it before its first pass: V8 then compiles on another core while the file is read, where a cold
 * search of 10^7 values took 200 ms against 110 ms warm.
 */
export function warmBucketedKernels(): void {
  if (kernelsWarm) return;
  kernelsWarm = true;
  const values = new Float32Array(2048);
  for (let i = 0; i < values.length; i++) values[i] = Math.fround(Math.sin(i * 12.9898) * 3 + (i % 11 === 0 ? 0.25 : 0));
  const bits = new Int32Array(values.buffer);
  const sorter = new Float32RadixSorter();
  sorter.count(bits);
  sorter.begin();
  sorter.scatter(bits);
  const { bits: bucketBits, starts } = sorter.buckets();
  const bucketed: BucketedValues = new BucketedValues(bucketBits, starts, (): Float32Array => bucketed.values);
  const ranges = [affineParams(-3, 3, 4), affineParams(-2.5, 2.9, 4), affineParams(-1, 1, 4)];
  for (let round = 0; round < warmRounds; round++) measureBucketed(bucketed, ranges, { lower: -2, upper: 2 });
}
