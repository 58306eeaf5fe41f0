import { codeOf, type AffineParams } from '../quant/affineParams';
import { measureDirect, sqnrDb, type FloatValues, type Metrics } from '../quant/metrics';
import type { OutlierFences } from '../quant/preparedValues';
import { productError } from '../quant/exactProduct';
import { roundHalfEven } from '../quant/roundHalfEven';
import { blockLength, blocksPerSuperblock, prefixErrorCoefficient, sampleStride, type SortedIndex } from './sortedIndex';

/** Unit roundoff of float64. */
const u = 2 ** -53;
/** Values summed in plain float64 before they join the double-double total. */
const chunkLength = 64;
/**
 * A block-sum evaluation is kept only when its proven error bound is below this fraction of each sum;
 * otherwise the candidate is summed value by value. Far inside the contract's 1e-12.
 */
export const acceptedRelativeError = 1e-13;
/** Values a search counts rather than halves: a cache line of float32. */
const scanLength = 16;
/** Doublings of a gallop from a run's start before the run counts as long and is looked up by value. */
const gallopLimit = 64;

/**
 * Measures one clipping range over the sorted values exactly as measureDirect does, without a pass over
 * the tensor when blocks are used.
 *
 * Codes are monotone in x, so the values of one code form a contiguous run of the sorted array; each run's
 * end is found by galloping and binary search with the exact code formula (clamp(round(x/scale + zp))), so
 * boundaries are exact. Within a run x_hat = scale·(q - zp) is one number h: Σe² = Σx² - 2hΣx + k·h²,
 * taken from double-double block sums; Σ|e| splits the run at the first value ≥ h, where e changes sign;
 * maxAbsError comes from the run's two ends (|x - h| is largest there, and fl is monotone); the clipped
 * count and the outlier fences are binary searches. A run's ragged ends, shorter than a block, are summed
 * value by value with the same fl(x - h) the direct pass computes. Every block sum carries a proven error
 * bound; when it is not small against the result (values sitting exactly on codes, say), the candidate is
 * summed value by value instead, which agrees with the direct pass to 64 ulps.
 */
export class RangeEvaluator {
  private readonly v: FloatValues;
  private readonly n: number;
  private readonly iLo: number;
  private readonly iHi: number;
  // Double-double totals and their error bounds: squared error, absolute error, squared error of inliers.
  private eHi = 0;
  private eLo = 0;
  private aHi = 0;
  private aLo = 0;
  private inHi = 0;
  private inLo = 0;
  private boundE = 0;
  private boundA = 0;
  private boundIn = 0;
  private elementSquares = 0;
  private elementAbs = 0;
  private elementInSquares = 0;
  private adds = 0;
  // Outputs of rangeSums and twoProd.
  private s1h = 0;
  private s1l = 0;
  private s2h = 0;
  private s2l = 0;
  private mag1 = 0;
  private mag2 = 0;
  private ph = 0;
  private pl = 0;
  /** How many candidates were measured by block sums and how many value by value (for benchmarks). */
  blockEvaluations = 0;
  elementEvaluations = 0;

  constructor(
    private readonly index: SortedIndex,
    private readonly fences: OutlierFences,
    private readonly finite: FloatValues,
  ) {
    this.v = index.sorted;
    this.n = index.n;
    this.iLo = lowerBound(this.v, fences.lower, 0, this.n);
    this.iHi = upperBound(this.v, fences.upper, 0, this.n);
  }

  /** The metrics of one clipping range; `useBlocks` false sums every value (the fallback and small tensors). */
  measure(p: AffineParams, useBlocks: boolean): Metrics {
    // Codes are monotone only for a positive scale, and magnitudes near overflow need the direct pass's
    // rescaling: either takes the direct pass itself.
    if (!(p.scale > 0) || !this.index.isSafe) return measureDirect(this.finite, p, this.fences);
    if (useBlocks) {
      const m = this.run(p, true);
      if (this.isCertified()) {
        this.blockEvaluations++;
        return m;
      }
    }
    this.elementEvaluations++;
    return this.run(p, false);
  }

  private isCertified(): boolean {
    const e = this.eHi + this.eLo;
    const a = this.aHi + this.aLo;
    const ein = this.inHi + this.inLo;
    return this.boundE <= acceptedRelativeError * e && this.boundA <= acceptedRelativeError * a && this.boundIn <= acceptedRelativeError * ein;
  }

  private run(p: AffineParams, useBlocks: boolean): Metrics {
    const { scale, zeroPoint: zp, qmax } = p;
    const v = this.v;
    const n = this.n;
    const iLo = this.iLo;
    const iHi = this.iHi;
    this.eHi = this.eLo = this.aHi = this.aLo = this.inHi = this.inLo = 0;
    this.boundE = this.boundA = this.boundIn = 0;
    this.elementSquares = this.elementAbs = this.elementInSquares = 0;
    this.adds = 0;
    let maxAbs = 0;
    let i = 0;
    while (i < n) {
      const q = Math.min(Math.max(roundHalfEven(v[i] / scale + zp), 0), qmax);
      const j = q >= qmax ? n : this.runEnd(i, q, scale, zp, qmax);
      const h = scale * (q - zp);
      const ea = Math.abs(v[i] - h);
      const eb = Math.abs(v[j - 1] - h);
      if (ea > maxAbs) maxAbs = ea;
      if (eb > maxAbs) maxAbs = eb;
      const m = lowerBoundSampled(v, this.index, h, i, j);
      let a = i;
      while (a < j) {
        let c = j;
        if (m > a && m < c) c = m;
        if (iLo > a && iLo < c) c = iLo;
        if (iHi > a && iHi < c) c = iHi;
        this.section(a, c, h, a >= m ? 1 : -1, a >= iLo && c <= iHi, useBlocks);
        a = c;
      }
      i = j;
    }
    const e = this.eHi + this.eLo;
    const abs = this.aHi + this.aLo;
    const ein = this.inHi + this.inLo;
    const addSlack = (this.adds + 2) * 4 * u * u;
    this.boundE += chunkLength * u * this.elementSquares + addSlack * Math.abs(e) + n * 2 ** -1020;
    this.boundA += chunkLength * u * this.elementAbs + addSlack * Math.abs(abs) + n * 2 ** -1020;
    this.boundIn += chunkLength * u * this.elementInSquares + addSlack * Math.abs(ein) + n * 2 ** -1020;
    const clipped = lowerBoundSampled(v, this.index, p.clipMin, 0, n) + (n - upperBoundSampled(v, this.index, p.clipMax, 0, n));
    const inliers = iHi > iLo ? iHi - iLo : 0;
    return {
      mse: e / n,
      mae: abs / n,
      maxAbsError: maxAbs,
      sqnrDb: sqnrDb(this.index.signalSquares, e),
      clippedCount: clipped,
      clippedFraction: clipped / n,
      mseInliers: inliers === 0 ? 0 : ein / inliers,
    };
  }

  /**
   * The first index after i whose code exceeds q, where code(v[i]) = q < qmax. A short run is galloped
   * from i by the exact code; a long one is looked up near the value where the code turns q + 1
   * (x/scale + zp = q + 1/2) through the samples, which spares the binary search most of its cache misses
   * on a large tensor, and the answer is then checked, and moved if rounding put it off, by the exact code.
   */
  private runEnd(i: number, q: number, scale: number, zp: number, qmax: number): number {
    const v = this.v;
    const n = this.n;
    let lo = i;
    let step = 1;
    let hi = i + 1;
    while (hi < n && codeOf(v[hi], scale, zp, qmax) <= q) {
      lo = hi;
      if (step >= gallopLimit) return this.runEndNear(lo, q, scale, zp, qmax);
      step += step;
      hi = lo + step;
    }
    return this.firstAbove(lo, hi > n ? n : hi, q, scale, zp, qmax);
  }

  /** runEnd for a long run, given code(v[lo]) <= q. */
  private runEndNear(lo: number, q: number, scale: number, zp: number, qmax: number): number {
    const v = this.v;
    const n = this.n;
    const j = lowerBoundSampled(v, this.index, (q + 0.5 - zp) * scale, lo + 1, n);
    if (j - 1 > lo && codeOf(v[j - 1], scale, zp, qmax) > q) {
      // Too far: gallop back from j - 1, whose code exceeds q.
      let hi = j - 1;
      let step = 1;
      let below = hi - 1;
      while (below > lo && codeOf(v[below], scale, zp, qmax) > q) {
        hi = below;
        step += step;
        below = hi - step;
      }
      return this.firstAbove(below > lo ? below : lo, hi, q, scale, zp, qmax);
    }
    if (j < n && codeOf(v[j], scale, zp, qmax) <= q) {
      // Not far enough: gallop on from j.
      let below = j;
      let step = 1;
      let hi = j + 1;
      while (hi < n && codeOf(v[hi], scale, zp, qmax) <= q) {
        below = hi;
        step += step;
        hi = below + step;
      }
      return this.firstAbove(below, hi > n ? n : hi, q, scale, zp, qmax);
    }
    return j;
  }

  /** Bisects for the first index in (lo, hi] whose code exceeds q, given code(v[lo]) <= q and hi = n or code(v[hi]) > q. */
  private firstAbove(lo: number, hi: number, q: number, scale: number, zp: number, qmax: number): number {
    const v = this.v;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (codeOf(v[mid], scale, zp, qmax) <= q) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Adds the errors of values [a, c), all coded to x_hat = h, whose error has sign `sign`. */
  private section(a: number, c: number, h: number, sign: number, isInlier: boolean, useBlocks: boolean): void {
    if (useBlocks) {
      const bA = Math.ceil(a / blockLength);
      const bC = Math.floor(c / blockLength);
      if (bC > bA) {
        if (bA * blockLength > a) this.elements(a, bA * blockLength, h, sign, isInlier);
        this.blocks(bA, bC, h, sign, isInlier);
        if (c > bC * blockLength) this.elements(bC * blockLength, c, h, sign, isInlier);
        return;
      }
    }
    this.elements(a, c, h, sign, isInlier);
  }

  /** Value by value, with the direct pass's own e = fl(x - h) and e². */
  private elements(a: number, c: number, h: number, sign: number, isInlier: boolean): void {
    const v = this.v;
    let sq = 0;
    let sum = 0;
    for (let start = a; start < c; start += chunkLength) {
      const end = Math.min(c, start + chunkLength);
      let cs = 0;
      let ce = 0;
      for (let i = start; i < end; i++) {
        const e = v[i] - h;
        cs += e * e;
        ce += e;
      }
      this.addE(cs, 0);
      this.addA(sign * ce, 0);
      if (isInlier) this.addIn(cs, 0);
      sq += cs;
      sum += ce;
    }
    this.elementSquares += sq;
    this.elementAbs += Math.abs(sum);
    if (isInlier) this.elementInSquares += sq;
  }

  /** Full blocks [bA, bC): Σe² = S2 - 2h·S1 + k·h² and Σ|e| = sign·(S1 - k·h) in double-double. */
  private blocks(bA: number, bC: number, h: number, sign: number, isInlier: boolean): void {
    this.rangeSums(bA, bC);
    const k = (bC - bA) * blockLength;
    const { s1h, s1l, s2h, s2l, mag1, mag2 } = this;
    const h2 = 2 * h;
    // 2h·S1
    this.twoProd(s1h, h2);
    const th = this.ph;
    const tl = this.pl + s1l * h2;
    // k·h²
    this.twoProd(h, h);
    const qh = this.ph;
    const ql = this.pl;
    this.twoProd(qh, k);
    const rh = this.ph;
    const rl = this.pl + ql * k;
    // S2 - 2h·S1 + k·h²
    let xh = s2h - th;
    let z = xh - s2h;
    let xl = (s2h - (xh - z)) + (-th - z) + s2l - tl;
    let t = xh + rh;
    z = t - xh;
    xl += (xh - (t - z)) + (rh - z) + rl;
    xh = t;
    this.addE(xh, xl);
    if (isInlier) this.addIn(xh, xl);
    // S1 - k·h
    this.twoProd(k, h);
    let yh = s1h - this.ph;
    z = yh - s1h;
    let yl = (s1h - (yh - z)) + (-this.ph - z) + s1l - this.pl;
    t = yh + yl;
    yl -= t - yh;
    yh = t;
    this.addA(sign * yh, sign * yl);
    const ah = Math.abs(h);
    const prefix1 = prefixErrorCoefficient * mag1;
    const prefix2 = prefixErrorCoefficient * mag2;
    const bE = prefix2 + 2 * ah * prefix1 + 16 * u * u * (Math.abs(s2h) + 2 * ah * Math.abs(s1h) + k * h * h);
    this.boundE += bE;
    if (isInlier) this.boundIn += bE;
    this.boundA += prefix1 + 8 * u * u * (Math.abs(s1h) + k * ah);
  }

  /** Sums of x and x² over blocks [bA, bC) into s1h/s1l and s2h/s2l, with the magnitudes that bound their error. */
  private rangeSums(bA: number, bC: number): void {
    const ix = this.index;
    const local = ix.local;
    const superSums = ix.superSums;
    let h1 = local[4 * bC];
    let l1 = local[4 * bC + 1] - local[4 * bA + 1];
    let h2 = local[4 * bC + 2];
    let l2 = local[4 * bC + 3] - local[4 * bA + 3];
    let x = -local[4 * bA];
    let t = h1 + x;
    let z = t - h1;
    l1 += (h1 - (t - z)) + (x - z);
    h1 = t;
    x = -local[4 * bA + 2];
    t = h2 + x;
    z = t - h2;
    l2 += (h2 - (t - z)) + (x - z);
    h2 = t;
    const sA = Math.floor(bA / blocksPerSuperblock);
    const sC = Math.floor(bC / blocksPerSuperblock);
    for (let s = sA; s < sC; s++) {
      x = superSums[4 * s];
      t = h1 + x;
      z = t - h1;
      l1 += (h1 - (t - z)) + (x - z) + superSums[4 * s + 1];
      h1 = t;
      x = superSums[4 * s + 2];
      t = h2 + x;
      z = t - h2;
      l2 += (h2 - (t - z)) + (x - z) + superSums[4 * s + 3];
      h2 = t;
    }
    t = h1 + l1;
    this.s1l = l1 - (t - h1);
    this.s1h = t;
    t = h2 + l2;
    this.s2l = l2 - (t - h2);
    this.s2h = t;
    const last = Math.min(sC + 1, ix.cumAbs.length - 1);
    const spans = sC - sA + 2;
    this.mag1 = (ix.cumAbs[last] - ix.cumAbs[sA]) * (1 + spans * 1e-15);
    this.mag2 = (ix.cumSquares[last] - ix.cumSquares[sA]) * (1 + spans * 1e-15);
  }

  /** Dekker's exact product a·b = ph + pl. */
  private twoProd(a: number, b: number): void {
    const p = a * b;
    this.ph = p;
    this.pl = productError(a, b, p);
  }

  private addE(x: number, y: number): void {
    const t = this.eHi + x;
    const z = t - this.eHi;
    this.eLo += (this.eHi - (t - z)) + (x - z) + y;
    this.eHi = t;
    this.adds++;
  }

  private addA(x: number, y: number): void {
    const t = this.aHi + x;
    const z = t - this.aHi;
    this.aLo += (this.aHi - (t - z)) + (x - z) + y;
    this.aHi = t;
  }

  private addIn(x: number, y: number): void {
    const t = this.inHi + x;
    const z = t - this.inHi;
    this.inLo += (this.inHi - (t - z)) + (x - z) + y;
    this.inHi = t;
  }
}

/**
 * lowerBound through the index's samples: a bisection of the coarse samples (every sampleStride² values,
 * a few KB) narrows the range to one coarse stride, one of the samples to one stride, and `v` is searched
 * only there, the last cache line's worth by a count. A search over a large tensor then waits on a few
 * cache misses near each other instead of one far away per halving (on a 40 MB array, each a TLB miss).
 */
export function lowerBoundSampled(v: FloatValues, index: SortedIndex, x: number, from: number, to: number): number {
  const coarse = index.coarseSamples;
  const samples = index.samples;
  const coarseStride = sampleStride * sampleStride;
  // Coarse samples at positions in [from, to): c·stride² for c in [cFirst, cEnd).
  const cFirst = Math.ceil(from / coarseStride);
  const cEnd = Math.ceil(to / coarseStride);
  let c = cFirst;
  let cHi = cEnd;
  while (c < cHi) {
    const mid = (c + cHi) >>> 1;
    if (coarse[mid] < x) c = mid + 1;
    else cHi = mid;
  }
  // The answer lies after coarse sample c - 1 (when in range) and at or before coarse sample c (when in range).
  const kFrom = Math.ceil((c > cFirst ? (c - 1) * coarseStride + 1 : from) / sampleStride);
  const kFirst = Math.ceil(from / sampleStride);
  let k = Math.max(kFrom, kFirst);
  const kHi = Math.min(Math.ceil(to / sampleStride), c < cEnd ? c * sampleStride : Infinity);
  let kHigh = kHi;
  while (k < kHigh) {
    const mid = (k + kHigh) >>> 1;
    if (samples[mid] < x) k = mid + 1;
    else kHigh = mid;
  }
  // The sample at k - 1 is below x when it lies in range (the coarse one before the window is too).
  let lo = k > kFirst ? (k - 1) * sampleStride + 1 : from;
  let hi = Math.min(to, k * sampleStride);
  // Halve down to a cache line's worth, then count: the values below x are a prefix.
  while (hi - lo > scanLength) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  for (let t = lo; t < hi; t++) if (v[t] < x) lo++;
  return lo;
}

/** upperBound through the index's samples: the values <= x are those < the next double above x. */
export function upperBoundSampled(v: FloatValues, index: SortedIndex, x: number, from: number, to: number): number {
  return lowerBoundSampled(v, index, nextUp(x), from, to);
}

const upWords = new Float64Array(1);
const upInts = new Int32Array(upWords.buffer);
const lowWord = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1;

/** The smallest double above x (x itself for NaN and +Infinity). */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  upWords[0] = x;
  // The bits of a double, read as a sign and magnitude, step by one ulp: up in magnitude above 0, down below.
  const lo = lowWord;
  const hi = 1 - lowWord;
  if (x > 0) {
    upInts[lo] = (upInts[lo] + 1) | 0;
    if (upInts[lo] === 0) upInts[hi]++;
  } else {
    if (upInts[lo] === 0) upInts[hi]--;
    upInts[lo] = (upInts[lo] - 1) | 0;
  }
  return upWords[0];
}

/** First index in [from, to) whose value is >= x (to when none). */
export function lowerBound(v: FloatValues, x: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in [from, to) whose value is > x (to when none). */
export function upperBound(v: FloatValues, x: number, from: number, to: number): number {
  return lowerBound(v, nextUp(x), from, to);
}
