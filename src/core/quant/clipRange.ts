import { UsageError } from '../errors';
import { affineParams, type AffineParams } from './affineParams';
import type { PreparedValues } from './preparedValues';

/** How the clipping range is chosen from the tensor: the seed's two schemes. */
export type RangeMethod = 'minmax' | 'percentile';

/** How one quantization's clipping range is set: from the tensor (RangeMethod), or given ('clip'). */
export type QuantizeRange = RangeMethod | 'clip';

/** A clipping range given as it is: [min, max] are beta and alpha. */
export interface ClipBounds {
  readonly min: number;
  readonly max: number;
}

/** The options of one quantization. */
export interface QuantizeOptions {
  readonly bits: number;
  readonly range: QuantizeRange;
  /** P in (50, 100]: keep the values between the (100-P)th and the Pth percentile. */
  readonly percentile: number;
  /** For range 'clip': the range itself, such as the best range of `clipwise search --method optimal`. */
  readonly clip?: ClipBounds;
}

/** The range of a 'clip' quantization, refused unless both ends are finite and min <= max. */
export function checkClip(clip: ClipBounds | undefined): ClipBounds {
  if (!clip) throw new UsageError('A clip range needs its two ends, as LO:HI.');
  if (!Number.isFinite(clip.min) || !Number.isFinite(clip.max)) throw new UsageError(`The clip range's ends must be finite numbers; got ${clip.min} and ${clip.max}.`);
  if (clip.min > clip.max) throw new UsageError(`The clip range's lower end must not exceed its upper end; got ${clip.min}:${clip.max}.`);
  return clip;
}

/** Refuses a percentile outside (50, 100]: P ≤ 50 would clip the range to nothing or invert it. */
export function checkPercentile(p: number): void {
  if (!Number.isFinite(p) || p <= 50 || p > 100) {
    throw new UsageError(`Percentile must be greater than 50 and at most 100; got ${p}.`);
  }
}

/**
 * The affine parameters for the seed's two schemes: min-max (alpha = max, beta = min) and
 * percentile (alpha = percentile(x, P), beta = percentile(x, 100 - P)); P = 100 is min-max exactly.
 * A given clip range is used as it is (beta = min, alpha = max).
 */
export function chooseParams(prepared: PreparedValues, options: QuantizeOptions): AffineParams {
  if (options.range === 'minmax') return affineParams(prepared.min, prepared.max, options.bits);
  if (options.range === 'clip') {
    const clip = checkClip(options.clip);
    return affineParams(clip.min, clip.max, options.bits);
  }
  checkPercentile(options.percentile);
  const alpha = prepared.percentile(options.percentile);
  const beta = prepared.percentile(100 - options.percentile);
  return affineParams(beta, alpha, options.bits);
}
