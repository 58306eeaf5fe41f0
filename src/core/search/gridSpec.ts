import { UsageError } from '../errors';

/** A plain percentile grid `from:to:step` (contract, Percentile grid search). */
export interface GridSpec {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

/** The notebook's question asked at 0.01 resolution: 99, 99.01, ..., 100. */
export const defaultGrid: GridSpec = { from: 99, to: 100, step: 0.01 };

/** More candidates than this is an absurd request, not a search. */
export const maxGridCandidates = 100_000;

/** Parses `from:to:step`, e.g. `99:100:0.01`. */
export function parseGridSpec(text: string): GridSpec {
  const parts = text.trim().split(':');
  const nums = parts.map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.length !== 3 || nums.some((x) => !Number.isFinite(x))) {
    throw new UsageError(`Grid '${text}' is not of the form from:to:step (for example 99:100:0.01).`);
  }
  return { from: nums[0], to: nums[1], step: nums[2] };
}

/** Rounds to 10 decimal places so that 99 + 7·0.01 is 99.07, as the contract requires. */
function roundTo10(x: number): number {
  return Number(x.toFixed(10));
}

/**
 * The candidates P_i = from + i·step while P_i <= to + step·1e-9, each rounded to 10 decimals;
 * every one must lie in (50, 100].
 */
export function gridCandidates(grid: GridSpec): number[] {
  const { from, to, step } = grid;
  if (!(step > 0)) throw new UsageError(`Grid step must be positive; got ${step}.`);
  if (!(from <= to)) throw new UsageError(`Grid start ${from} is above its end ${to}.`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > maxGridCandidates) {
    throw new UsageError(`Grid ${from}:${to}:${step} has ${count} candidates; at most ${maxGridCandidates} are allowed.`);
  }
  const out: number[] = [];
  for (let i = 0; ; i++) {
    const raw = from + i * step;
    if (!(raw <= to + step * 1e-9)) break;
    const p = roundTo10(raw);
    if (!(p > 50 && p <= 100)) {
      throw new UsageError(`Grid candidate ${p} lies outside (50, 100]; percentiles must keep more than half of the values.`);
    }
    out.push(p);
  }
  return out;
}

/**
 * Which candidates a search tries: a plain `from:to:step` grid, or `nines` (99, 99.9, 99.99, ...
 * while the tail they cut holds at least one value, then 100), where heavy-tailed optima lie.
 */
export type GridRequest =
  | { readonly kind: 'range'; readonly spec: GridSpec }
  | { readonly kind: 'nines' };

/** The grids parseGrid reads, in words for prompts and messages. */
export const gridForms = 'from:to:step (for example 99:100:0.01) or nines (99, 99.9, 99.99, … then 100)';

/** Parses `--grid`: `from:to:step` (for example 99:100:0.01) or `nines`; a message names both forms. */
export function parseGrid(text: string): GridRequest {
  if (text.trim().toLowerCase() === 'nines') return { kind: 'nines' };
  try {
    return { kind: 'range', spec: parseGridSpec(text) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`Grid '${text.trim()}' is not of the form ${gridForms}.`);
  }
}

/** Deepest nines: 100 - 10^-8 is still distinct after rounding to 10 decimals. */
const maxNines = 8;

/**
 * The nines grid for n values: P_k = 100 - 10^(-k) for k = 0, 1, 2, ... (99, 99.9, 99.99, ...), rounded to
 * 10 decimals, kept while the top tail it clips, (n - 1)·10^(-k)/100 positions of the sorted values, is at
 * least one position (so each candidate moves alpha by at least one order statistic; 99 is always kept),
 * and at most 8 nines; then 100.
 */
export function ninesCandidates(n: number): number[] {
  const out = [99];
  for (let k = 1; k <= maxNines; k++) {
    const tail = 10 ** -k;
    if ((n - 1) * (tail / 100) < 1) break;
    out.push(roundTo10(100 - tail));
  }
  out.push(100);
  return out;
}

/** The candidates of a grid request for a tensor of n finite values. */
export function requestCandidates(request: GridRequest, n: number): number[] {
  return request.kind === 'nines' ? ninesCandidates(n) : gridCandidates(request.spec);
}

/** Refinement levels `--refine` runs when given without a number. */
export const defaultRefineLevels = 2;
/** Each refinement splits the best candidate's bracket into this many equal steps. */
export const refineSubdivisions = 20;

/**
 * One level of coarse-to-fine refinement (`--refine`): with every percentile evaluated so far sorted
 * ascending and `best` the winner among them, the bracket [L, R] runs from the evaluated neighbour below
 * best to the one above (best itself at either end), and the new candidates are
 * L + i·(R - L)/20 for i = 1..19, rounded to 10 decimals, inside (50, 100] and not evaluated before.
 * Repeating it narrows the step twentyfold per level around the winner of the previous level.
 */
export function refineCandidates(evaluated: readonly number[], best: number): number[] {
  const sorted = [...new Set(evaluated)].sort((a, b) => a - b);
  const at = sorted.indexOf(best);
  if (at < 0) throw new UsageError(`Percentile ${best} was not evaluated; refinement starts from an evaluated winner.`);
  const lo = sorted[Math.max(0, at - 1)];
  const hi = sorted[Math.min(sorted.length - 1, at + 1)];
  const seen = new Set(sorted);
  const out: number[] = [];
  for (let i = 1; i < refineSubdivisions; i++) {
    const p = roundTo10(lo + (i * (hi - lo)) / refineSubdivisions);
    if (p > 50 && p <= 100 && !seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  }
  return out;
}
