/**
 * Exact order statistics of a stream of doubles in a few passes and little memory: a radix
 * selection on the same order-preserving key as radixSort.ts (flip every bit of a negative value,
 * only the sign bit of a positive one; -0 sorts before +0, as there). The first pass counts the
 * top 22 key bits of every value (sign, exponent, 10 mantissa bits); each later pass narrows
 * every wanted rank to one bucket by the next digit (10, 16, then 16 bits), or, once its bucket
 * holds few enough values, collects and sorts them. The result is the value the sorted array holds
 * at that rank, bit for bit.
 *
 * When no value has a bit set below the first digit (float16, bfloat16, float8, int8, uint8, bool
 * data: at most 10 significant mantissa bits), the first pass alone decides every rank.
 */

/** A bucket this small is collected and sorted in the next pass instead of narrowed further. */
export const maxCollectedValues = 1 << 22;

/** Bits of each digit, most significant first; the first lies in the high word's top, the rest fill words. */
const firstDigitBits = 22;
const secondDigitBits = 32 - firstDigitBits;
const secondDigitMask = (1 << secondDigitBits) - 1;
const lowDigitMask = 0xffff;
const signBit = 0x80000000;

/** What one selection pass must do for a group of ranks that share a key prefix. */
interface Group {
  /** Key digits fixed so far (1..3). */
  readonly depth: number;
  readonly keyHi: number;
  readonly keyLo: number;
  /** Values in the bucket: those whose key starts with the prefix. */
  readonly count: number;
  /** Wanted ranks within the bucket, each with the ranks (in the whole stream) it answers. */
  readonly wanted: Map<number, number[]>;
  histogram?: Uint32Array;
  collected?: Float64Array;
  filled: number;
}

/** One selection pass over every value of the stream, in the same order each time or not. */
export interface SelectionPass {
  /** Feeds values; NaN and ±Inf are skipped. */
  add(values: Float64Array): void;
}

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

function valueOf(keyHi: number, keyLo: number): number {
  if (keyHi & signBit) {
    scratchWords[1] = keyHi ^ signBit;
    scratchWords[0] = keyLo;
  } else {
    scratchWords[1] = ~keyHi >>> 0;
    scratchWords[0] = ~keyLo >>> 0;
  }
  return scratch[0];
}

/**
 * Finds the values at given 0-based ranks of the sorted finite values. Feed every value to
 * `firstPass` (or count them yourself with `countFirstDigit`), name the ranks with `selectRanks`,
 * then call `nextPass()` and feed everything again while it returns a pass; then read `valueAt(rank)`.
 */
export class StreamingSelection {
  private readonly topCounts = new Uint32Array(1 << firstDigitBits);
  private total = 0;
  /** OR of every finite value's raw bits below the first digit: 0 when the first digit decides values. */
  private lowBits = 0;
  private groups: Group[] = [];
  private readonly resolved = new Map<number, number>();
  private started = false;
  private ranks: readonly number[] = [];

  /** `collectMax` is the bucket size from which buckets are narrowed rather than collected. */
  constructor(private readonly collectMax = maxCollectedValues) {}

  /** Sets the wanted 0-based ranks among the finite values; call after the first pass, before `nextPass()`. */
  selectRanks(ranks: readonly number[]): this {
    this.ranks = ranks;
    return this;
  }

  /** Counts one finite value given as its two raw words (for callers that loop over values themselves). */
  countFirstDigit(hi: number, lo: number): void {
    this.topCounts[((hi & signBit ? ~hi : hi | signBit) >>> 0) >>> secondDigitBits]++;
    this.lowBits |= lo | (hi & secondDigitMask);
    this.total++;
  }

  /** The pass that counts every value's first digit. */
  readonly firstPass: SelectionPass = {
    add: (values) => {
      const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v - v === 0) this.countFirstDigit(words[2 * i + 1], words[2 * i]);
      }
    },
  };

  /** The next pass to run, or undefined when every rank is known. */
  nextPass(): SelectionPass | undefined {
    if (!this.started) {
      this.started = true;
      for (const rank of this.ranks) {
        if (!(rank >= 0 && rank < this.total)) throw new RangeError(`Rank ${rank} outside 0..${this.total - 1}.`);
      }
      this.groups = this.narrow(this.topCounts, 0, 0, 0, new Map(this.ranks.map((r) => [r, [r]])), this.lowBits === 0);
    } else {
      const next: Group[] = [];
      for (const g of this.groups) {
        const seen = g.collected ? g.filled : g.histogram!.reduce((a, b) => a + b, 0);
        if (seen !== g.count) throw new Error(`The values changed between two passes (${seen} in a bucket that held ${g.count}).`);
        if (g.collected) {
          const sorted = g.collected.subarray(0, g.filled).sort();
          for (const [within, asked] of g.wanted) for (const rank of asked) this.resolved.set(rank, sorted[within]);
        } else {
          next.push(...this.narrow(g.histogram!, g.depth, g.keyHi, g.keyLo, g.wanted, false));
        }
      }
      this.groups = next;
    }
    if (this.groups.length === 0) return undefined;
    const groups = this.groups;
    return { add: (values) => addToGroups(values, groups) };
  }

  /** The value at a rank asked for, once `nextPass()` has returned undefined. */
  valueAt(rank: number): number {
    const v = this.resolved.get(rank);
    if (v === undefined) throw new RangeError(`Rank ${rank} was not selected.`);
    return v;
  }

  /**
   * Places each wanted rank in its bucket of `counts` (the digit after `depth` fixed digits). A
   * bucket is decided when its prefix is the whole key, or when `isDecided` says the bits below it
   * are zero in every value (then a positive key's low bits are 0 and a negative key's are 1).
   */
  private narrow(counts: Uint32Array, depth: number, keyHi: number, keyLo: number, wanted: Map<number, number[]>, isDecided: boolean): Group[] {
    const byDigit = new Map<number, { count: number; wanted: Map<number, number[]> }>();
    const sortedWanted = [...wanted.keys()].sort((a, b) => a - b);
    let digit = 0;
    let base = 0;
    for (const within of sortedWanted) {
      while (base + counts[digit] <= within) base += counts[digit++];
      let bucket = byDigit.get(digit);
      if (!bucket) byDigit.set(digit, (bucket = { count: counts[digit], wanted: new Map() }));
      bucket.wanted.set(within - base, wanted.get(within)!);
    }
    const groups: Group[] = [];
    for (const [d, bucket] of byDigit) {
      const newDepth = depth + 1;
      let hi = keyHi;
      let lo = keyLo;
      if (newDepth === 1) hi = (d << secondDigitBits) >>> 0;
      else if (newDepth === 2) hi = (keyHi | d) >>> 0;
      else if (newDepth === 3) lo = (d << 16) >>> 0;
      else lo = (keyLo | d) >>> 0;
      if (newDepth === 4 || isDecided) {
        const isPositive = (hi & signBit) !== 0;
        const value = newDepth === 4 ? valueOf(hi, lo) : valueOf(isPositive ? hi : (hi | secondDigitMask) >>> 0, isPositive ? 0 : 0xffffffff);
        for (const asked of bucket.wanted.values()) for (const rank of asked) this.resolved.set(rank, value);
        continue;
      }
      const group: Group = { depth: newDepth, keyHi: hi, keyLo: lo, count: bucket.count, wanted: bucket.wanted, filled: 0 };
      if (bucket.count <= this.collectMax) group.collected = new Float64Array(bucket.count);
      else group.histogram = new Uint32Array(1 << (newDepth === 1 ? secondDigitBits : 16));
      groups.push(group);
    }
    return groups;
  }
}

function addToGroups(values: Float64Array, groups: readonly Group[]): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) continue;
    const hi = words[2 * i + 1];
    const isNegative = (hi & signBit) !== 0;
    const keyHi = (isNegative ? ~hi : hi | signBit) >>> 0;
    const keyLo = (isNegative ? ~words[2 * i] : words[2 * i]) >>> 0;
    for (const g of groups) {
      if (g.depth === 1 ? keyHi >>> secondDigitBits !== g.keyHi >>> secondDigitBits : keyHi !== g.keyHi) continue;
      if (g.depth === 3 && keyLo >>> 16 !== g.keyLo >>> 16) continue;
      if (g.collected) {
        g.collected[g.filled++] = v;
      } else {
        const digit = g.depth === 1 ? keyHi & secondDigitMask : g.depth === 2 ? keyLo >>> 16 : keyLo & lowDigitMask;
        g.histogram![digit]++;
      }
    }
  }
}
