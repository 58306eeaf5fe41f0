import type { AffineParams } from '../quant/affineParams';
import { isMaximised, type Metrics, type Objective } from '../quant/metrics';

/** One evaluated clipping range. `percentile` is null for ranges not tied to one percentile. */
export interface EvaluatedCandidate {
  readonly percentile: number | null;
  readonly params: AffineParams;
  readonly metrics: Metrics;
}

/** True when `a` is strictly better than `b` under the objective. */
function isBetter(a: number, b: number, objective: Objective): boolean {
  return isMaximised(objective) ? a > b : a < b;
}

/**
 * The best candidate under the objective; exact ties go to the larger percentile (less
 * clipping), as the numerics contract's tie rule says.
 */
export function pickBest(candidates: readonly EvaluatedCandidate[], objective: Objective): EvaluatedCandidate {
  let best = candidates[0];
  for (let i = 1; i < candidates.length; i++) {
    const c = candidates[i];
    const v = c.metrics[objective];
    const bv = best.metrics[objective];
    if (isBetter(v, bv, objective) || (v === bv && (c.percentile ?? 100) > (best.percentile ?? 100))) best = c;
  }
  return best;
}
