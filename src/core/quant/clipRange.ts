import { UsageError } from '../errors';
import { affineParams, type AffineParams } from './affineParams';
import type { PreparedValues } from './preparedValues';

/** How the clipping range is chosen. */
export type RangeMethod = 'minmax' | 'percentile';

/** The options of one quantization. */
export interface QuantizeOptions {
  readonly bits: number;
  readonly range: RangeMethod;
  /** P in (50, 100]: keep the values between the (100-P)th and the Pth percentile. */
  readonly percentile: number;
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
 */
export function chooseParams(prepared: PreparedValues, options: QuantizeOptions): AffineParams {
  if (options.range === 'minmax') return affineParams(prepared.min, prepared.max, options.bits);
  checkPercentile(options.percentile);
  const alpha = prepared.percentile(options.percentile);
  const beta = prepared.percentile(100 - options.percentile);
  return affineParams(beta, alpha, options.bits);
}
