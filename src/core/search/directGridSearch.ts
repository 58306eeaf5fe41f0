import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import { chooseParams } from '../quant/clipRange';
import { measureDirect } from '../quant/metrics';
import type { PreparedValues } from '../quant/preparedValues';
import type { EvaluatedCandidate } from './candidate';

/**
 * Evaluates every candidate percentile by a full quantization pass, as the notebook would:
 * the reference the fast engine is checked against.
 */
export function directGridSearch(
  prepared: PreparedValues,
  bits: number,
  candidates: readonly number[],
  outlierK: number,
  control: WorkControl = {},
): EvaluatedCandidate[] {
  const fences = prepared.fences(outlierK);
  const out: EvaluatedCandidate[] = [];
  for (let i = 0; i < candidates.length; i++) {
    if (control.signal?.aborted) throw new CancelledError();
    const percentile = candidates[i];
    const params = chooseParams(prepared, { bits, range: 'percentile', percentile });
    out.push({ percentile, params, metrics: measureDirect(prepared.finite, params, fences) });
    control.onProgress?.((i + 1) / candidates.length);
  }
  return out;
}
