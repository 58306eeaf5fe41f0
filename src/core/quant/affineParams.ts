import { UsageError } from '../errors';
import { roundHalfEven } from './roundHalfEven';

/** Smallest and largest bit widths Clipwise quantizes to. */
export const minBits = 2;
export const maxBits = 16;

/** The affine map the seed notebook builds from a clipping range (numerics contract). */
export interface AffineParams {
  readonly bits: number;
  readonly scale: number;
  /** A float, not clamped, exactly as the seed's `-1*np.round(beta / scale)`. */
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
  /** The clipping range [beta, alpha] after any widening of a degenerate range. */
  readonly clipMin: number;
  readonly clipMax: number;
  readonly warnings: readonly string[];
}

/** Refuses a bit width outside 2..16. */
export function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < minBits || bits > maxBits) {
    throw new UsageError(`Bits must be an integer from ${minBits} to ${maxBits}; got ${bits}.`);
  }
}

/**
 * scale = (alpha - beta) / (2^b - 1), zero_point = -round(beta / scale), as the seed's
 * asymmetric_quantization. A degenerate range is widened to include 0 (contract, Degenerate range).
 */
export function affineParams(beta: number, alpha: number, bits: number): AffineParams {
  checkBits(bits);
  const qmax = 2 ** bits - 1;
  const warnings: string[] = [];
  if (alpha === beta) {
    const lo = Math.min(beta, 0);
    const hi = Math.max(alpha, 0);
    if (lo === hi) {
      warnings.push('Every value in the range is 0, so the range is empty; used scale 1 and zero point 0.');
      return { bits, scale: 1, zeroPoint: 0, qmin: 0, qmax, clipMin: 0, clipMax: 0, warnings };
    }
    warnings.push(`The clipping range is a single value (${alpha}); widened it to [${lo}, ${hi}] to include 0.`);
    beta = lo;
    alpha = hi;
  }
  let scale = (alpha - beta) / qmax;
  if (scale === Infinity) {
    // alpha - beta overflowed: divide first (the seed would produce inf and NaN here).
    scale = alpha / qmax - beta / qmax;
    warnings.push(`The range [${beta}, ${alpha}] is wider than float64 can hold; its scale was computed as alpha/${qmax} - beta/${qmax}.`);
  }
  const zeroPoint = -1 * roundHalfEven(beta / scale);
  if (scale === 0 || !Number.isFinite(zeroPoint) || !Number.isFinite(scale)) {
    // Narrower than 2^b - 1 steps of the smallest double: the scale underflows to 0.
    warnings.push(`The range [${beta}, ${alpha}] is too narrow for float64 arithmetic (its scale underflows); used scale 1 and zero point 0.`);
    return { bits, scale: 1, zeroPoint: 0, qmin: 0, qmax, clipMin: beta, clipMax: alpha, warnings };
  }
  if (zeroPoint < 0 || zeroPoint > qmax) {
    warnings.push(
      `The zero point ${zeroPoint} lies outside the codes [0, ${qmax}], so 0 is not representable: ` +
        'the range does not contain 0. PyTorch, ONNX Runtime and AIMET widen the range to include 0 instead, ' +
        'and would give a different scale.',
    );
  }
  return { bits, scale, zeroPoint, qmin: 0, qmax, clipMin: beta, clipMax: alpha, warnings };
}

/**
 * The code of a finite x: clamp(round(x / scale + zp), 0, qmax), in the seed's order. Scalars rather than
 * the params: a loop over many values that calls this keeps them in registers (through the params
 * object, V8 reloaded them on every value: a pass over 10^7 values took 250 ms against 90).
 */
export function codeOf(x: number, scale: number, zp: number, qmax: number): number {
  return Math.min(Math.max(roundHalfEven(x / scale + zp), 0), qmax);
}

/** The code of one value (codeOf), NaN taking the code nearest 0 and ±Inf the extreme codes (contract, Values). */
export function quantizeValue(x: number, p: AffineParams): number {
  if (x !== x) return Math.min(Math.max(roundHalfEven(p.zeroPoint), 0), p.qmax);
  return codeOf(x, p.scale, p.zeroPoint, p.qmax);
}

/** The value a code stands for: scale * (q - zero_point), as the seed's asymmetric_dequantization. */
export function dequantizeCode(q: number, p: AffineParams): number {
  return p.scale * (q - p.zeroPoint);
}

/**
 * Codes for every element, NaN taking the code nearest 0 and ±Inf the extreme codes
 * (contract, Values); ±Inf fall out of clamp(round(±Inf)) by themselves.
 */
export function quantizeCodes(values: Float64Array | Float32Array, p: AffineParams): Uint16Array {
  const { scale, zeroPoint, qmax } = p;
  const nanCode = quantizeValue(NaN, p);
  const codes = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    codes[i] = x !== x ? nanCode : codeOf(x, scale, zeroPoint, qmax);
  }
  return codes;
}
