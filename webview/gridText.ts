/** More candidates than this the core refuses (src/core/search/gridSpec.ts, maxGridCandidates). */
const maxGridCandidates = 100_000;

/** A grid as typed: its candidate count, or why the core would refuse it. */
export type GridCheck = { readonly ok: true; readonly count: number } | { readonly ok: false; readonly message: string };

/**
 * Checks `from:to:step` as the core's parseGridSpec and gridCandidates do, so the page can say
 * what is wrong while the user types instead of after a round trip. The host checks again.
 */
export function checkGridText(text: string): GridCheck {
  const parts = text.trim().split(':');
  const nums = parts.map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.length !== 3 || nums.some((x) => !Number.isFinite(x))) {
    return { ok: false, message: 'Write the grid as from:to:step, for example 99:100:0.01.' };
  }
  const [from, to, step] = nums as [number, number, number];
  if (!(step > 0)) return { ok: false, message: `The step must be positive; got ${step}.` };
  if (!(from <= to)) return { ok: false, message: `The start ${from} is above the end ${to}.` };
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > maxGridCandidates) return { ok: false, message: `${count} candidates; at most ${maxGridCandidates} are allowed.` };
  const last = Number((from + (count - 1) * step).toFixed(10));
  if (!(from > 50 && last <= 100)) return { ok: false, message: 'Percentiles must lie in (50, 100]: above 50, at most 100.' };
  return { ok: true, count };
}

/** True when P is a percentile the core accepts: 50 < P ≤ 100. */
export function isValidPercentile(p: number): boolean {
  return Number.isFinite(p) && p > 50 && p <= 100;
}
