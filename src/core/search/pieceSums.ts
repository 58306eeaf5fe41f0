import { ddAdd, ddLow } from '../quant/doubleDouble';
import { productError } from '../quant/exactProduct';

/** Values LocalPieces primes its pass with: odd, so that its last is paired with itself. */
const primeValues = 401;

/** Values of one bucket summed between two flushes: r² < 2^32, so 2^21 of them sum exactly below 2^53. */
const exactSpan = 1 << 21;

/**
 * Sums of the values between consecutive threshold keys. With sorted distinct keys t_0 < ... < t_{m-1},
 * piece p holds the values whose keys lie in [t_{p-1}, t_p) (piece 0 everything below t_0, piece m
 * everything from t_{m-1} on), and prefix arrays give the sums over pieces [0, i) for i in 0..m+1: the
 * values with keys below t_{i-1} are prefix i.
 */
export interface PieceSums {
  /** Number of threshold keys (pieces: m + 1). */
  readonly m: number;
  /** Prefix counts (exact). */
  readonly count: Float64Array;
  /** Prefix Σx and Σx² as double-double (hi, lo). */
  readonly sumHi: Float64Array;
  readonly sumLo: Float64Array;
  readonly squaresHi: Float64Array;
  readonly squaresLo: Float64Array;
  /** Σ|x| and Σx² over every value (plain doubles: they size error bounds). */
  readonly absTotal: number;
  readonly squaresTotal: number;
  /** Smallest and largest key of each piece (meaningful where the piece is not empty). */
  readonly minKey: Int32Array;
  readonly maxKey: Int32Array;
  /** For a prefix index i: the first non-empty piece >= i (m + 1 when none), and the last one < i (-1 when none). */
  readonly nextNonEmpty: Int32Array;
  readonly prevNonEmpty: Int32Array;
}

/** Per-piece sums as pieces are gathered (PieceSummer), before the prefixes. */
export interface PieceTable {
  readonly count: Float64Array;
  /** Σx and Σx² of each piece as double-double (hi, lo). */
  readonly s1h: Float64Array;
  readonly s1l: Float64Array;
  readonly s2h: Float64Array;
  readonly s2l: Float64Array;
  /** Smallest and largest key met in each piece. */
  readonly minKey: Int32Array;
  readonly maxKey: Int32Array;
  /** Σ|x| and Σx² of every value met (plain: they size error bounds). */
  readonly totals: Float64Array;
}

/**
 * An empty table of `pieces` pieces; in shared memory when another thread is to fill it, and then left
 * for that thread to clear (clearPieceTable): the pages of a fresh table cost milliseconds to fault in,
 * on whichever thread first writes to them.
 */
export function createPieceTable(pieces: number, shared = false): PieceTable {
  // One buffer for the whole table, carved into its arrays: each shared buffer is a mapping of its own,
  // and a job's eight of them took 5-10 ms to make here while the helper was faulting in memory.
  const bytes = (6 * pieces + 2) * Float64Array.BYTES_PER_ELEMENT;
  const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  let at = 0;
  const f64 = (length: number) => new Float64Array(buffer, (at += length * 8) - length * 8, length);
  const i32 = (length: number) => new Int32Array(buffer, (at += length * 4) - length * 4, length);
  const table = {
    count: f64(pieces), s1h: f64(pieces), s1l: f64(pieces), s2h: f64(pieces), s2l: f64(pieces), totals: f64(2),
    minKey: i32(pieces), maxKey: i32(pieces),
  };
  if (!shared) clearPieceTable(table);
  return table;
}

/** Readies a fresh table (all zeros) for sums: no key met yet in any piece. */
export function clearPieceTable(table: PieceTable): void {
  table.minKey.fill(0x7fffffff);
  table.maxKey.fill(-0x80000000);
}

/**
 * Sums the values of each piece bucket by bucket, exactly: within a bucket every value is
 * ±(M0 + r)·2^E with one M0 and E and r its low 16 mantissa bits, so a piece's share of a bucket is
 * known from the integers count, Σr and Σr² (exact in float64 for up to 2^21 values), and its Σx and Σx²
 * follow as an exact double and an exact double-double. Only the additions of different buckets' shares
 * and the prefix sums round, by a few units of 2^-106 each (see bucketedMeasure's bound).
 *
 * A bucket that no threshold cuts is one share; in a cut one, each value finds its piece through a table
 * on its key's bits 8-15 and a step over the few thresholds inside that sub-range. The bucket's tables
 * are a few KB, so each pass over a bucket runs in the first-level cache.
 *
 * The buckets come in chunks (bucketChunks) that the summer claims one at a time: on two threads, each
 * with a summer and a table of its own, the chunks go to whichever is free (sharedPieces).
 */
export class PieceSummer {
  private readonly acc: PieceAccumulator;
  private readonly lut = new Int32Array(256);
  private readonly local: LocalPieces;

  constructor(private readonly low: Uint16Array, private readonly starts: Int32Array, private readonly thresholds: Int32Array, table: PieceTable) {
    this.acc = new PieceAccumulator(table);
    this.local = new LocalPieces(mostCutsInABucket(thresholds) + 1);
  }

  /**
   * Sums chunk after chunk of buckets (chunk k is buckets chunks[k] to chunks[k + 1]) while `claims` gives
   * one (-1: none is left, or the work is to stop), telling it each chunk summed. One call for all of a
   * thread's chunks: V8 compiles the loop once, where it first runs long. (An object, not two functions:
   * V8 compiles a call to a function for that very function, and each search's new closures would make it
   * throw the code away.)
   */
  sumChunks(chunks: Int32Array, claims: ChunkClaims): void {
    const { thresholds, lut, acc, local, low, starts } = this;
    const cut = local.cut;
    const m = thresholds.length;
    // The long loops are in functions of their own, and the claims are asked at one place, before any of
    // them: V8 compiles a hot loop for the calls that have run by then, and throws the code away at the
    // first one that has not.
    for (let k = -1; ;) {
      k = claims.next(k);
      if (k < 0) return;
      const from = chunks[k];
      const to = chunks[k + 1];
      // The thresholds at or below the chunk's first key: the piece that key falls in.
      let t = firstAbove(thresholds, (from ^ 0x8000) << 16);
      for (let d = from; d < to; d++) {
        const a = starts[d];
        const b = starts[d + 1];
        if (a === b) continue;
        const kb = (d ^ 0x8000) << 16;
        while (t < m && thresholds[t] <= kb) t++;
        const first = t;
        let end = t;
        while (end < m && thresholds[end] - kb < 0x10000) end++;
        const cuts = end - first;
        const negative = d < 0x8000 ? 1 : 0;
        const flip = negative ? 0xffff : 0;
        cutBucket(thresholds, first, cuts, kb, cut, lut);
        for (let spanFrom = a; spanFrom < b; spanFrom += exactSpan) {
          const spanTo = Math.min(b, spanFrom + exactSpan);
          local.clear(cuts + 1);
          local.add(low, spanFrom, spanTo, flip, lut);
          local.extremes(cuts + 1);
          acc.flush(local, cuts + 1, first, kb, negative);
        }
      }
    }
  }
}

/**
 * The cut points of one bucket (thresholds[first .. first + cuts) less the bucket's first key kb) into
 * `cut`, with a sentinel above every key of the bucket, and each 256-key sub-range's first piece into
 * `lut`. A bucket no key cuts gets one piece, every lookup 0: the same path as the others.
 */
function cutBucket(thresholds: Int32Array, first: number, cuts: number, kb: number, cut: Int32Array, lut: Int32Array): void {
  for (let j = 0; j < cuts; j++) cut[j] = thresholds[first + j] - kb;
  cut[cuts] = 0x10000;
  for (let s = 0, j = 0; s < 256; s++) {
    while (j < cuts && cut[j] <= s << 8) j++;
    lut[s] = j;
  }
}

/** Where a PieceSummer takes its chunks from (see sharedPieces). */
export interface ChunkClaims {
  /** Takes note that chunk `summed` is summed (-1: none yet), and gives the next chunk to sum, or -1. */
  next(summed: number): number;
}

/** The index of the first of the sorted thresholds above `key`. */
function firstAbove(thresholds: Int32Array, key: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The most thresholds (sorted keys) that fall in one bucket, i.e. share their top 16 bits. */
function mostCutsInABucket(thresholds: Int32Array): number {
  let most = 0;
  for (let i = 0, j = 0; i < thresholds.length; i = j) {
    const top = thresholds[i] >> 16;
    while (j < thresholds.length && thresholds[j] >> 16 === top) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

/**
 * Integer sums of each piece's share of one bucket (local piece j is global piece first + j), and its
 * least and greatest key. Those two come from a bitmap of the keys seen, read once per piece after the
 * values (extremes): a compare and a store per value and bound, as they were taken before, made the pass
 * over 10^7 values 10-25 ms slower on one thread than setting one bit.
 *
 * Values are taken in pairs, the second of each pair summed into a second set of sums (the odd lane),
 * added into the first before the extremes. A bucket's values come in file order, and about one in eight
 * falls in the same piece as the one before it (the pieces are uneven: many candidates share most of
 * their cuts): with one set of sums, each such value read a sum whose store had not landed yet, and the
 * processor, which had guessed the two apart, started over. Measured on the 10^7-element benchmark
 * tensors, one thread, warm: 9.7 against 6.0-6.3 ns a value, together with the step below.
 */
class LocalPieces {
  readonly count: Float64Array;
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  /** The odd lane's sums (see above). */
  private readonly oddCount: Float64Array;
  private readonly oddR1: Float64Array;
  private readonly oddR2: Float64Array;
  readonly min: Int32Array;
  readonly max: Int32Array;
  readonly cut: Int32Array;
  /** One bit per key of the bucket: the keys that hold a value, whence each piece's least and greatest. */
  private readonly seen = new Int32Array(0x10000 >>> 5);

  /** The odd lane's piece for a span's last value paired with itself: past every piece of a bucket. */
  private readonly spare: number;

  /** Room for every piece of a bucket, the spare piece after them, and at least what `prime` takes. */
  private readonly capacity: number;

  constructor(mostPieces: number) {
    const capacity = Math.max(mostPieces + 1, 5);
    this.capacity = capacity;
    this.spare = capacity - 1;
    this.count = new Float64Array(capacity);
    this.r1 = new Float64Array(capacity);
    this.r2 = new Float64Array(capacity);
    this.oddCount = new Float64Array(capacity);
    this.oddR1 = new Float64Array(capacity);
    this.oddR2 = new Float64Array(capacity);
    this.min = new Int32Array(capacity);
    this.max = new Int32Array(capacity);
    this.cut = new Int32Array(capacity);
    this.prime();
  }

  /**
   * Runs `add` on a few hundred values that take every path through it (three cuts passed, an odd span),
   * then forgets them. V8 compiles the pass while it runs, with what each operation has met so far, and
   * throws the code away at the first one that had met nothing: a value passing two cuts is one in a
   * hundred, and when none had come before the compile, the whole pass was compiled again (about 15 ms
   * here). A few hundred, because V8 records what operations meet only once a function has run a while
   * (lazy feedback allocation).
   */
  private prime(): void {
    const values = new Uint16Array(primeValues);
    for (let i = 0; i < primeValues; i += 2) values[i] = 3;
    this.cut.set([1, 2, 3, 0x10000]);
    this.add(values, 0, primeValues, 0, new Int32Array(256));
    this.extremes(4);
    this.clear(this.capacity);
  }

  clear(pieces: number): void {
    this.count.fill(0, 0, pieces);
    this.r1.fill(0, 0, pieces);
    this.r2.fill(0, 0, pieces);
    this.oddCount.fill(0, 0, pieces);
    this.oddR1.fill(0, 0, pieces);
    this.oddR2.fill(0, 0, pieces);
  }

  /**
   * Each value to its piece: the table gives the piece at the start of its key's sub-range, the cuts the
   * rest (cut[cuts] is a sentinel above every key of the bucket). The first cut is passed without a
   * branch (the sign of cut - k - 1 is 1 exactly when k >= cut), as about one value in eight needs; the
   * loop then rarely turns (one in a hundred). A span of odd length pairs its last value with itself, the
   * copy summed into the spare piece, which is never read. Then `extremes`, before the next add.
   */
  add(low: Uint16Array, from: number, to: number, flip: number, lut: Int32Array): void {
    const { count, r1, r2, oddCount, oddR1, oddR2, cut, seen, spare } = this;
    for (let i = from; i < to; i += 2) {
      const r = low[i];
      const k = r ^ flip;
      let p = lut[k >>> 8];
      p += (cut[p] - k - 1) >>> 31;
      while (k >= cut[p]) p++;
      const last = i + 1 === to;
      const s = low[last ? i : i + 1];
      const l = s ^ flip;
      let q = lut[l >>> 8];
      q += (cut[q] - l - 1) >>> 31;
      while (l >= cut[q]) q++;
      if (last) q = spare;
      count[p]++;
      r1[p] += r;
      r2[p] += r * r;
      oddCount[q]++;
      oddR1[q] += s;
      oddR2[q] += s * s;
      seen[k >>> 5] |= 1 << (k & 31);
      seen[l >>> 5] |= 1 << (l & 31);
    }
  }

  /**
   * Adds the odd lane into the sums, then finds each non-empty piece's least and greatest key (min, max)
   * from the keys seen, and forgets them for the next span. A piece's keys are [cut[j - 1], cut[j]): a
   * non-empty one has a bit set there, so each scan stops inside it.
   */
  extremes(pieces: number): void {
    const { count, r1, r2, oddCount, oddR1, oddR2, min, max, cut, seen } = this;
    for (let j = 0; j < pieces; j++) {
      count[j] += oddCount[j];
      r1[j] += oddR1[j];
      r2[j] += oddR2[j];
    }
    let lowWord = 0x800;
    let highWord = 0;
    for (let j = 0; j < pieces; j++) {
      if (count[j] === 0) continue;
      const start = j === 0 ? 0 : cut[j - 1];
      let w = start >>> 5;
      let word = seen[w] & (-1 << (start & 31));
      while (word === 0) word = seen[++w];
      min[j] = (w << 5) + 31 - Math.clz32(word & -word);
      if (w < lowWord) lowWord = w;
      const end = cut[j] - 1;
      w = end >>> 5;
      word = seen[w] & (-1 >>> (31 - (end & 31)));
      while (word === 0) word = seen[--w];
      max[j] = (w << 5) + 31 - Math.clz32(word);
      if (w > highWord) highWord = w;
    }
    if (lowWord <= highWord) seen.fill(0, lowWord, highWord + 1);
  }
}

/** Adds buckets' shares of pieces into a PieceTable. */
class PieceAccumulator {
  private readonly count: Float64Array;
  private readonly s1h: Float64Array;
  private readonly s1l: Float64Array;
  private readonly s2h: Float64Array;
  private readonly s2l: Float64Array;
  private readonly minKey: Int32Array;
  private readonly maxKey: Int32Array;
  private readonly totals: Float64Array;

  constructor(table: PieceTable) {
    ({ count: this.count, s1h: this.s1h, s1l: this.s1l, s2h: this.s2h, s2l: this.s2l, minKey: this.minKey, maxKey: this.maxKey, totals: this.totals } = table);
  }

  /**
   * Adds one bucket's local pieces. The bucket's values are ±(M0 + r)·2^E: M0 the implicit bit and the
   * 7 mantissa bits the bucket fixes, E from its exponent (subnormals: no implicit bit, E = -149).
   */
  flush(local: LocalPieces, pieces: number, first: number, kb: number, negative: number): void {
    const top = (kb ^ ((kb >> 31) & 0x7fffffff)) >>> 16;
    const exponentField = (top >>> 7) & 0xff;
    const m0 = (exponentField !== 0 ? 1 << 23 : 0) + ((top & 0x7f) << 16);
    const e = (exponentField !== 0 ? exponentField : 1) - 150;
    const unit = 2 ** e;
    const unit2 = unit * unit;
    const sign = negative ? -1 : 1;
    const { count, r1, r2, min, max } = local;
    for (let j = 0; j < pieces; j++) {
      const c = count[j];
      if (c === 0) continue;
      const p = first + j;
      const s1 = r1[j];
      // Σx = ±(c·M0 + Σr)·2^E: below 2^46 before scaling, exact.
      const sx = sign * (c * m0 + s1) * unit;
      // Σx² = (M0·(c·M0 + 2·Σr) + Σr²)·2^2E: c·M0 + 2·Σr is exact (below 2^46), its product with M0
      // exact as hi + lo, and adding Σr² (exact, below 2^53) leaves an exact double-double.
      const a = c * m0 + 2 * s1;
      const ph = m0 * a;
      let l = productError(m0, a, ph);
      const r = r2[j];
      let h = ph + r;
      const z = h - ph;
      l += (ph - (h - z)) + (r - z);
      const h2 = h;
      h = h2 + l;
      l -= h - h2;
      this.add(p, c, sx, h * unit2, l * unit2);
      this.totals[0] += Math.abs(sx);
      this.totals[1] += h * unit2;
      // Keys of the bucket are kb + (r ^ flip): min and max were taken on those low bits.
      const lo = kb + min[j];
      const hi = kb + max[j];
      if (lo < this.minKey[p]) this.minKey[p] = lo;
      if (hi > this.maxKey[p]) this.maxKey[p] = hi;
    }
  }

  private add(p: number, c: number, sx: number, qh: number, ql: number): void {
    this.count[p] += c;
    let t = this.s1h[p] + sx;
    let z = t - this.s1h[p];
    this.s1l[p] += (this.s1h[p] - (t - z)) + (sx - z);
    this.s1h[p] = t;
    t = this.s2h[p] + qh;
    z = t - this.s2h[p];
    this.s2l[p] += (this.s2h[p] - (t - z)) + (qh - z) + ql;
    this.s2h[p] = t;
  }
}

/**
 * Prefix sums over the pieces of `table` (m thresholds), and the non-empty piece lookups; with `other`,
 * another thread's table of the same pieces (of other buckets; cleared, see clearPieceTable), joined in
 * as the prefixes run: its counts and keys into `table`'s, its sums as one more double-double addition
 * a piece.
 */
export function prefixSums(table: PieceTable, m: number, other?: PieceTable): PieceSums {
  const pieces = m + 1;
  const count = new Float64Array(pieces + 1);
  const sumHi = new Float64Array(pieces + 1);
  const sumLo = new Float64Array(pieces + 1);
  const squaresHi = new Float64Array(pieces + 1);
  const squaresLo = new Float64Array(pieces + 1);
  const nextNonEmpty = new Int32Array(pieces + 1);
  const prevNonEmpty = new Int32Array(pieces + 1);
  accumulatePrefixes(table, other, count, sumHi, sumLo, squaresHi, squaresLo);
  nonEmptyLookups(table.count, nextNonEmpty, prevNonEmpty);
  return {
    m, count, sumHi, sumLo, squaresHi, squaresLo,
    absTotal: table.totals[0] + (other ? other.totals[0] : 0), squaresTotal: table.totals[1] + (other ? other.totals[1] : 0),
    minKey: table.minKey, maxKey: table.maxKey, nextNonEmpty, prevNonEmpty,
  };
}

/**
 * prefixSums' loop, in a function that returns when it ends: V8 compiles it while it runs (once a
 * search), and the call after it, which had not run yet, made it throw that code away.
 */
function accumulatePrefixes(
  table: PieceTable, other: PieceTable | undefined,
  count: Float64Array, sumHi: Float64Array, sumLo: Float64Array, squaresHi: Float64Array, squaresLo: Float64Array,
): void {
  const pieces = count.length - 1;
  const { s1h, s1l, s2h, s2l } = table;
  let h1 = 0;
  let l1 = 0;
  let h2 = 0;
  let l2 = 0;
  for (let p = 0; p < pieces; p++) {
    // Without a branch on the piece: V8 compiles this loop for the code that has run when it turns hot,
    // and a branch first taken later would make it throw that code away.
    if (other) {
      table.count[p] += other.count[p];
      table.minKey[p] = Math.min(table.minKey[p], other.minKey[p]);
      table.maxKey[p] = Math.max(table.maxKey[p], other.maxKey[p]);
      h1 = ddAdd(h1, l1, other.s1h[p], other.s1l[p]);
      l1 = ddLow();
      h2 = ddAdd(h2, l2, other.s2h[p], other.s2l[p]);
      l2 = ddLow();
    }
    count[p + 1] = count[p] + table.count[p];
    let x = s1h[p];
    let t = h1 + x;
    let z = t - h1;
    l1 += (h1 - (t - z)) + (x - z) + s1l[p];
    h1 = t + l1;
    l1 -= h1 - t;
    x = s2h[p];
    t = h2 + x;
    z = t - h2;
    l2 += (h2 - (t - z)) + (x - z) + s2l[p];
    h2 = t + l2;
    l2 -= h2 - t;
    sumHi[p + 1] = h1;
    sumLo[p + 1] = l1;
    squaresHi[p + 1] = h2;
    squaresLo[p + 1] = l2;
  }
}

/**
 * The first non-empty piece at or after each prefix index, and the last one before it. A function of its
 * own: in prefixSums' single call, V8 compiled the first loop on the fly and then threw the code away at
 * these loops, which had never run (a deoptimisation and a second compile, 5-10 ms here).
 */
function nonEmptyLookups(pieceCounts: Float64Array, next: Int32Array, prev: Int32Array): void {
  fillNextNonEmpty(pieceCounts, next);
  fillPrevNonEmpty(pieceCounts, prev);
}

// Each loop in a function that returns when it ends: with both in one, the first loop's compiled code
// was thrown away at the second (which had not run yet), and the second compiled apart.

function fillNextNonEmpty(pieceCounts: Float64Array, next: Int32Array): void {
  const pieces = pieceCounts.length;
  next[pieces] = pieces;
  for (let p = pieces - 1; p >= 0; p--) next[p] = pieceCounts[p] > 0 ? p : next[p + 1];
}

function fillPrevNonEmpty(pieceCounts: Float64Array, prev: Int32Array): void {
  const pieces = pieceCounts.length;
  prev[0] = -1;
  for (let p = 1; p <= pieces; p++) prev[p] = pieceCounts[p - 1] > 0 ? p - 1 : prev[p - 1];
}
