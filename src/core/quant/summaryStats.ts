import { productError } from './exactProduct';
import { scaleExponent, type FloatValues } from './metrics';
import type { PreparedValues } from './preparedValues';

/** Summary statistics of the finite values (numpy's mean and population std). */
export interface SummaryStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

/** Σx and Σx² as double-double numbers (hi + lo), the moments both statistics come from. */
export interface MomentSums {
  readonly sumHi: number;
  readonly sumLo: number;
  readonly squaresHi: number;
  readonly squaresLo: number;
  /** The sums are of x·2^-exponent (see scaleExponent); 0 when absent. */
  readonly exponent?: number;
}

/**
 * Double-double sums of x and x² (x² exact through Dekker's product), fed in chunks. Whatever the order of
 * the values, two readers that meet the same values (a whole read, a sorted stream, a chunked pass) get
 * the same statistics: their sums differ by far less than the last bit of the result.
 */
export class MomentSummer {
  private readonly state = new Float64Array(4);
  private readonly factor: number;

  /** Sums of x·2^-exponent (see scaleExponent). */
  constructor(private readonly exponent = 0) {
    this.factor = 2 ** -exponent;
  }

  /** Adds every value of `x` (finite values only). */
  add(x: FloatValues): void {
    addMoments(x, 0, x.length, this.state, this.factor);
  }

  /** Adds x[i] for the i where x[i] is finite. */
  addFinite(x: FloatValues): void {
    addMoments(x, 0, x.length, this.state, this.factor, true);
  }

  get sums(): MomentSums {
    const [sumHi, sumLo, squaresHi, squaresLo] = this.state;
    return { sumHi, sumLo, squaresHi, squaresLo, exponent: this.exponent };
  }
}

/** The moment sums of finite values in one pass; `maxAbs`, their largest magnitude, says whether to scale them. */
export function momentSums(x: FloatValues, maxAbs = 0): MomentSums {
  const summer = new MomentSummer(scaleExponent(maxAbs));
  summer.add(x);
  return summer.sums;
}

/** Adds x[from, to) times `factor` to double-double sums of x and x² (`state`: Σx hi, lo, Σx² hi, lo). */
export function addMoments(x: FloatValues, from: number, to: number, state: Float64Array, factor = 1, skipNonFinite = false): void {
  let h1 = state[0];
  let l1 = state[1];
  let h2 = state[2];
  let l2 = state[3];
  for (let i = from; i < to; i++) {
    const v = x[i] * factor;
    if (skipNonFinite && v - v !== 0) continue;
    let t = h1 + v;
    let z = t - h1;
    l1 += (h1 - (t - z)) + (v - z);
    h1 = t;
    const p = v * v;
    const pe = productError(v, v, p);
    t = h2 + p;
    z = t - h2;
    l2 += (h2 - (t - z)) + (p - z) + pe;
    h2 = t;
  }
  state[0] = h1;
  state[1] = l1;
  state[2] = h2;
  state[3] = l2;
}

/**
 * Mean and population std from double-double moment sums: the mean is Σx/n to about one rounding, the
 * variance (Σx² - (Σx)²/n)/n keeps about 100 bits through its cancellation, so the std is as accurate as
 * numpy's two-pass std even when it is tiny against the mean. Sums that overflowed give NaN or ±Inf, as
 * the sums do.
 */
export function statsFromMoments(m: MomentSums, n: number, min: number, max: number): SummaryStats {
  const { sumHi, sumLo, squaresHi, squaresLo } = m;
  const up = 2 ** (m.exponent ?? 0);
  // mean = q1 + q2 with q1 = fl(S1/n) and q2 the quotient of the exact remainder.
  const q1 = sumHi / n;
  const ph = q1 * n;
  const q2 = ((sumHi - ph) - productError(q1, n, ph) + sumLo) / n;
  const mean = q1 + q2;
  if (!Number.isFinite(mean) || !Number.isFinite(squaresHi)) {
    return { min, max, mean: mean * up, std: Number.isFinite(squaresHi) ? NaN : Math.sqrt(squaresHi) };
  }
  // S1²/n = S1·mean, as a double-double.
  const th = sumHi * q1;
  const tl = productError(sumHi, q1, th) + sumHi * q2 + sumLo * q1;
  // S2 - S1²/n.
  const dh = squaresHi - th;
  const z = dh - squaresHi;
  const dl = (squaresHi - (dh - z)) + (-th - z) + squaresLo - tl;
  const variance = (dh + dl) / n;
  return { min, max, mean: mean * up, std: Math.sqrt(variance > 0 ? variance : 0) * up };
}


/** numpy's mean and population std of the finite values, from their moment sums. */
export function summaryStats(prepared: PreparedValues): SummaryStats {
  const maxAbs = Math.max(Math.abs(prepared.min), Math.abs(prepared.max));
  return statsFromMoments(momentSums(prepared.finite, maxAbs), prepared.finite.length, prepared.min, prepared.max);
}
