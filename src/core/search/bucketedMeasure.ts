import type { WorkControl } from '../formats/tensorFile';
import { affineParams, codeOf, type AffineParams } from '../quant/affineParams';
import { ddAdd, ddLow } from '../quant/doubleDouble';
import { productError } from '../quant/exactProduct';
import { measureDirect, sqnrDb, type Metrics } from '../quant/metrics';
import type { OutlierFences } from '../quant/preparedValues';
import type { MomentSums } from '../quant/summaryStats';
import { bucketCount, type BucketedValues } from './bucketedValues';
import { firstKeyAbove, firstKeyAtLeast, firstKeyWhere, guessKey, maxFiniteKey, minFiniteKey, valueOfKey } from './floatKeys';
import { parseGrid, requestCandidates } from './gridSpec';
import { clearPieceTable, createPieceTable, prefixSums, type PieceSums } from './pieceSums';
import { pieceSums } from './sharedPieces';
import { acceptedRelativeError } from './rangeEvaluator';

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
 * Whether a search of a tensor of about n float32 values will sort it (the work a helper thread can
 * share): the optimal search does, and so does a grid whose threshold keys are too many to measure over
 * the buckets (bucketedMeasureApplies). An ill-formed grid gives false (the search reports it).
 */
export function searchSorts(method: 'grid' | 'optimal', bits: number, grid: string, n: number): boolean {
  if (method === 'optimal') return true;
  try {
    return !bucketedMeasureApplies(n, bits, requestCandidates(parseGrid(grid), n).length);
  } catch {
    return false;
  }
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
 * measured by the direct pass instead, over the values in their buckets' order. So every figure agrees
 * with measureDirect's to the contract's 1e-12 and maxAbsError and the counts exactly.
 */
export function measureBucketed(values: BucketedValues, params: readonly AffineParams[], fences: OutlierFences, control: WorkControl = {}): Metrics[] {
  const batch = prepareBatch(params, fences);
  const progress = control.onProgress;
  // The pass over the buckets is most of the work: 90% of the progress.
  const sums = pieceSums(values, batch.thresholds, { signal: control.signal, onProgress: progress && ((f) => progress(0.9 * f)) }, warmEvaluation);
  values.rememberMoments(momentsOf(sums));
  progress?.(0.9);
  const evaluator = new CandidateEvaluator(sums, values.n, batch.fenceLo, batch.fenceHi);
  return params.map((p, i) => evaluator.measure(p, batch.keysOf(i)) ?? measureDirect(values.values(), p, fences));
}

let evaluationWarm = false;

/**
 * Runs the prefix sums and the candidates' evaluation on a small synthetic batch, once a thread: called
 * while a helper thread sums the pieces of a large tensor, so that this thread compiles them then, rather
 * than after the pass, when they are all that is left to do. Measured on 10^7-element searches from the
 * CLI: the prefix sums 17 -> 4 ms and the 101 candidates 22 -> 5 ms after the pass, for a warm-up of
 * 35-50 ms (mostly compiling) while the helper, which is compiling the pass itself meanwhile, claims the
 * chunks; the whole process 13 ms less (medians of 60 interleaved runs on the four bench tensors). Every
 * object has the shape the real ones will have (ranges with fractional bounds, a shared table joined in,
 * fences that cut codes), or V8 would throw the compiled code away at the first real one.
 */
function warmEvaluation(): void {
  if (evaluationWarm) return;
  evaluationWarm = true;
  const params: AffineParams[] = [];
  for (let r = 0; r < warmRanges; r++) params.push(affineParams(-120.25 + 0.5 * r, 110.75 - 0.75 * r, 8));
  const batch = prepareBatch(params, { lower: -100.5, upper: 100.5 });
  const m = batch.thresholds.length;
  const table = createPieceTable(m + 1);
  const other = createPieceTable(m + 1, true);
  clearPieceTable(other);
  // One or two values a piece, at its lower threshold key (the first piece's below it).
  for (let p = 0; p <= m; p++) {
    const key = p === 0 ? batch.thresholds[0] - 1 : batch.thresholds[p - 1];
    const x = valueOfKey(key);
    const k = 1 + (p & 1);
    table.count[p] = k;
    table.s1h[p] = k * x;
    table.s2h[p] = k * x * x;
    table.minKey[p] = key;
    table.maxKey[p] = key;
    table.totals[0] += k * Math.abs(x);
    table.totals[1] += k * x * x;
  }
  let sums = prefixSums(table, m, other);
  for (let round = 1; round < warmRounds; round++) sums = prefixSums(table, m, other);
  const evaluator = new CandidateEvaluator(sums, m + m, batch.fenceLo, batch.fenceHi);
  for (let round = 0; round < warmRounds; round++) params.forEach((p, i) => evaluator.measure(p, batch.keysOf(i)));
}

/** Ranges and rounds of the evaluation's warm-up: enough calls for V8 to compile each function whole. */
const warmRanges = 4;
const warmRounds = 2;

/** The threshold keys of a batch of ranges, ranked (see rankKeys). */
interface Batch {
  /** The distinct keys, ascending. */
  readonly thresholds: Int32Array;
  /** Prefix indices of the fences' keys. */
  readonly fenceLo: number;
  readonly fenceHi: number;
  /** Prefix indices of range i's keys in candidateKeys' layout; empty for a range the direct pass measures (no positive scale). */
  keysOf(i: number): Int32Array;
}

/** Finds and ranks every threshold key of the ranges and the fences. */
function prepareBatch(params: readonly AffineParams[], fences: OutlierFences): Batch {
  const keys = params.map((p) => (p.scale > 0 ? candidateKeys(p) : new Int32Array(0)));
  const fenceKeys = Int32Array.of(firstKeyAtLeast(fences.lower), firstKeyAbove(fences.upper));
  const { thresholds, indices } = rankKeys([...keys, fenceKeys]);
  const offsets = new Int32Array(keys.length + 1);
  keys.forEach((k, i) => (offsets[i + 1] = offsets[i] + k.length));
  return {
    thresholds,
    fenceLo: indices[indices.length - 2],
    fenceHi: indices[indices.length - 1],
    keysOf: (i) => indices.subarray(offsets[i], offsets[i + 1]),
  };
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
  // Stepped from the float32 nearest the real boundary, a key or two at most (firstKeyWhere bisects
  // should it be further): written out, as this runs 2^(bits+1) times a range, mostly before V8 has
  // compiled it.
  for (let q = 0; q < qmax; q++) {
    let k = guessKey((q + 0.5 - zp) * scale);
    for (let step = 0; ; step++) {
      if (step === 8) {
        k = firstKeyWhere((x) => codeOf(x, scale, zp, qmax) > q, k);
        break;
      }
      if (k > minFiniteKey && codeOf(valueOfKey(k - 1), scale, zp, qmax) > q) k--;
      else if (k <= maxFiniteKey && codeOf(valueOfKey(k), scale, zp, qmax) <= q) k++;
      else break;
    }
    keys[q] = k;
  }
  for (let q = 0; q <= qmax; q++) {
    const h = scale * (q - zp);
    let k = guessKey(h);
    for (let step = 0; ; step++) {
      if (step === 8) {
        k = firstKeyAtLeast(h);
        break;
      }
      if (k > minFiniteKey && valueOfKey(k - 1) >= h) k--;
      else if (k <= maxFiniteKey && valueOfKey(k) < h) k++;
      else break;
    }
    keys[qmax + q] = k;
  }
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
  for (const a of arrays) at = tagKeys(a, tagged, at);
  tagged.sort();
  const thresholds = new Int32Array(total);
  const indices = new Int32Array(total);
  const w = rankTagged(tagged, thresholds, indices);
  return { thresholds: thresholds.slice(0, w), indices };
}

// rankKeys' loops, each in a function that returns when it ends: V8 compiles a long loop while it runs
// (this runs once a search), and code after it that had not run yet made it throw that code away (twice a
// search, 2-4 ms of compiling each time).

/** Writes keys[j]·2^21 + slot into tagged from slot `at` on; returns the next slot. */
function tagKeys(keys: Int32Array, tagged: Float64Array, at: number): number {
  for (let j = 0; j < keys.length; j++, at++) tagged[at] = keys[j] * slotScale + at;
  return at;
}

/** From the sorted tags: the distinct keys into `thresholds`, each slot's prefix index into `indices`; returns how many keys. */
function rankTagged(tagged: Float64Array, thresholds: Int32Array, indices: Int32Array): number {
  let w = 0;
  for (let i = 0; i < tagged.length; i++) {
    const v = tagged[i];
    const key = Math.floor(v / slotScale);
    if (w === 0 || thresholds[w - 1] !== key) thresholds[w++] = key;
    indices[v - key * slotScale] = w;
  }
  return w;
}

/** One range's sums over its codes from the piece prefixes, in double-double, with their error bounds. */
class CandidateEvaluator {
  /** Bounds on the error of one prefix of Σx and of Σx². */
  private readonly prefixError1: number;
  private readonly prefixError2: number;

  constructor(
    private readonly sums: PieceSums,
    private readonly n: number,
    private readonly fenceLo: number,
    private readonly fenceHi: number,
  ) {
    // Each prefix adds at most m + 1 pieces, each gathered from at most one share per bucket and, when two
    // threads summed them, joined by one addition more, every double-double addition erring by at most
    // 4u² of the running magnitude.
    const additions = 2 * (sums.m + 1) + 1 + bucketCount;
    this.prefixError1 = 4 * u * u * additions * sums.absTotal;
    this.prefixError2 = 4 * u * u * additions * sums.squaresTotal;
  }

  /**
   * The metrics of range p whose threshold keys (candidateKeys' layout) are at prefix indices `at`;
   * undefined when not certified, or when there are none (no positive scale). One loop over the codes, each split at x_hat into the values below it
   * (side 0, e < 0) and the others (side 1), every sum in double-double written out in place: this runs
   * once per range of a batch, mostly before V8 has compiled it, and calls cost most then.
   */
  measure(p: AffineParams, at: Int32Array): Metrics | undefined {
    if (at.length === 0) return undefined;
    const { scale, zeroPoint: zp, qmax } = p;
    const { count, sumHi, sumLo, squaresHi, squaresLo, nextNonEmpty, prevNonEmpty, minKey, maxKey } = this.sums;
    const { prefixError1, prefixError2, fenceLo, fenceHi } = this;
    const end = this.sums.m + 1;
    let eh = 0;
    let el = 0;
    let ah = 0;
    let al = 0;
    let ih = 0;
    let il = 0;
    let boundE = 0;
    let boundA = 0;
    let boundIn = 0;
    let adds = 0;
    let maxAbs = 0;
    for (let q = 0; q <= qmax; q++) {
      const lo = q === 0 ? 0 : at[q - 1];
      const hi = q === qmax ? end : at[q];
      if (hi <= lo) continue;
      const h = scale * (q - zp);
      const ha = Math.abs(h);
      const hh = h * h;
      const hl = productError(h, h, hh);
      const split = Math.min(Math.max(at[qmax + q], lo), hi);
      for (let side = 0; side < 2; side++) {
        const x = side === 0 ? lo : split;
        const y = side === 0 ? split : hi;
        const k = count[y] - count[x];
        if (k === 0) continue;
        // maxAbsError: the part's smallest and largest values, with the direct pass's own |x - h|.
        const ea = Math.abs(valueOfKey(minKey[nextNonEmpty[x]]) - h);
        const eb = Math.abs(valueOfKey(maxKey[prevNonEmpty[y]]) - h);
        if (ea > maxAbs) maxAbs = ea;
        if (eb > maxAbs) maxAbs = eb;
        // Σx and Σx² over the part: prefix differences.
        let t = sumHi[y] - sumHi[x];
        let z = t - sumHi[y];
        let lw = (sumHi[y] - (t - z)) + (-sumHi[x] - z) + sumLo[y] - sumLo[x];
        const s1h = t + lw;
        const s1l = lw - (s1h - t);
        t = squaresHi[y] - squaresHi[x];
        z = t - squaresHi[y];
        lw = (squaresHi[y] - (t - z)) + (-squaresHi[x] - z) + squaresLo[y] - squaresLo[x];
        const s2h = t + lw;
        const s2l = lw - (s2h - t);
        // Σ(x - h)² = Σx² - 2h·Σx + k·h².
        const h2 = 2 * h;
        const th = s1h * h2;
        const tl = productError(s1h, h2, th) + s1l * h2;
        const rh = hh * k;
        const rl = productError(hh, k, rh) + hl * k;
        t = s2h - th;
        z = t - s2h;
        lw = (s2h - (t - z)) + (-th - z) + s2l - tl;
        let qh = t + lw;
        let ql = lw - (qh - t);
        t = qh + rh;
        z = t - qh;
        lw = (qh - (t - z)) + (rh - z) + ql + rl;
        qh = t + lw;
        ql = lw - (qh - t);
        t = eh + qh;
        z = t - eh;
        el += (eh - (t - z)) + (qh - z) + ql;
        eh = t;
        adds++;
        const bound = 2 * prefixError2 + 4 * ha * prefixError1 + 16 * u * u * (Math.abs(s2h) + 2 * ha * Math.abs(s1h) + k * hh);
        boundE += bound;
        // Σ|e| = ±(Σx - k·h): minus below x_hat, plus from it on.
        const ph = k * h;
        const pl = productError(k, h, ph);
        t = s1h - ph;
        z = t - s1h;
        lw = (s1h - (t - z)) + (-ph - z) + s1l - pl;
        const sign = side === 0 ? -1 : 1;
        const yh = sign * (t + lw);
        const yl = sign * (lw - (t + lw - t));
        t = ah + yh;
        z = t - ah;
        al += (ah - (t - z)) + (yh - z) + yl;
        ah = t;
        boundA += 2 * prefixError1 + 8 * u * u * (Math.abs(s1h) + k * ha);
        // Inliers: the part of [x, y) inside the fences, the whole part mostly.
        const fx = x > fenceLo ? x : fenceLo;
        const fy = y < fenceHi ? y : fenceHi;
        if (fy <= fx) continue;
        if (fx === x && fy === y) {
          t = ih + qh;
          z = t - ih;
          il += (ih - (t - z)) + (qh - z) + ql;
          ih = t;
          boundIn += bound;
        } else {
          const inner = this.squaresAbout(fx, fy, h);
          t = ih + inner[0];
          z = t - ih;
          il += (ih - (t - z)) + (inner[0] - z) + inner[1];
          ih = t;
          boundIn += inner[2];
        }
      }
    }
    const e = eh + el;
    const abs = ah + al;
    const ein = ih + il;
    const slack = (adds + 2) * 4 * u * u;
    const tiny = this.n * 2 ** -1020;
    if (boundE + slack * e + tiny > acceptedRelativeError * e) return undefined;
    if (boundA + slack * abs + tiny > acceptedRelativeError * abs) return undefined;
    if (ein > 0 && boundIn + slack * ein + tiny > acceptedRelativeError * ein) return undefined;
    const n = this.n;
    const clipped = count[at[2 * qmax + 1]] + (n - count[at[2 * qmax + 2]]);
    const inliers = count[fenceHi] - count[fenceLo];
    return {
      mse: e / n,
      mae: abs / n,
      maxAbsError: maxAbs,
      sqnrDb: sqnrDb(squaresHi[end] + squaresLo[end], e),
      clippedCount: clipped,
      clippedFraction: clipped / n,
      mseInliers: inliers <= 0 ? 0 : ein / inliers,
    };
  }

  /** Σ(x - h)² over prefix range [x, y) (not empty) as [hi, lo, error bound]: the few parts the fences cut. */
  private squaresAbout(x: number, y: number, h: number): [number, number, number] {
    const s = this.sums;
    const k = s.count[y] - s.count[x];
    const s1h = ddAdd(s.sumHi[y], s.sumLo[y], -s.sumHi[x], -s.sumLo[x]);
    const s1l = ddLow();
    const s2h = ddAdd(s.squaresHi[y], s.squaresLo[y], -s.squaresHi[x], -s.squaresLo[x]);
    const s2l = ddLow();
    const h2 = 2 * h;
    const th = s1h * h2;
    const tl = productError(s1h, h2, th) + s1l * h2;
    const hh = h * h;
    const rh = hh * k;
    const rl = productError(hh, k, rh) + productError(h, h, hh) * k;
    const xh = ddAdd(s2h, s2l, -th, -tl);
    const qh = ddAdd(xh, ddLow(), rh, rl);
    const ha = Math.abs(h);
    const bound = 2 * this.prefixError2 + 4 * ha * this.prefixError1 + 16 * u * u * (Math.abs(s2h) + 2 * ha * Math.abs(s1h) + k * hh);
    return [qh, ddLow(), bound];
  }
}
