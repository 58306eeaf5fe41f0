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
