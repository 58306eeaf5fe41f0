import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import type { Objective } from '../quant/metrics';
import type { PreparedValues } from '../quant/preparedValues';
import type { CandidateEvaluator } from '../report/buildReports';
import { pickBest, type EvaluatedCandidate } from './candidate';
import { fastGridSearch } from './fastGridSearch';
import { refineCandidates } from './gridSpec';

/**
 * A grid search refined coarse to fine (`--refine LEVELS`): the grid first, then `levels` rounds of
 * refineCandidates around the winner so far. All candidates, sorted by percentile, are then evaluated in
 * one final batch so that the curve, the winner and the tie rule are exactly those of a plain grid search
 * over the same candidates. Progress runs once across the levels.
 */
export async function refinedGridSearch(
  prepared: PreparedValues,
  bits: number,
  candidates: readonly number[],
  objective: Objective,
  outlierK: number,
  levels: number,
  control: WorkControl = {},
  evaluate: CandidateEvaluator = fastGridSearch,
): Promise<EvaluatedCandidate[]> {
  const stages = levels + 1;
  const stage = (s: number): WorkControl => ({
    signal: control.signal,
    onProgress: control.onProgress && ((f: number) => control.onProgress?.((s + f) / stages)),
  });
  const all = new Set(candidates);
  let evaluated = await evaluate(prepared, bits, candidates, outlierK, stage(0));
  for (let level = 1; level <= levels; level++) {
    if (control.signal?.aborted) throw new CancelledError();
    const best = pickBest(evaluated, objective).percentile ?? 100;
    const next = refineCandidates([...all], best);
    if (next.length === 0) break;
    for (const p of next) all.add(p);
    const more = await evaluate(prepared, bits, next, outlierK, stage(level));
    evaluated = evaluated.concat(more);
  }
  if (all.size === candidates.length) return evaluated;
  const union = [...all].sort((a, b) => a - b);
  return evaluate(prepared, bits, union, outlierK, { signal: control.signal });
}
