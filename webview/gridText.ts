/** More candidates than this the core refuses (src/core/search/gridSpec.ts, maxGridCandidates). */
const maxGridCandidates = 100_000;

/**
 * A grid as typed: a `from:to:step` grid and its candidate count, `nines` (whose candidates depend on the
 * tensor's size, so only the search lists them), or why the core would refuse it.
 */
export type GridCheck =
  | { readonly ok: true; readonly kind: 'range'; readonly count: number }
  | { readonly ok: true; readonly kind: 'nines' }
  | { readonly ok: false; readonly message: string };

/**
 * Checks a grid as the core's parseGrid and gridCandidates do (src/core/search/gridSpec.ts), so the page
 * can say what is wrong while the user types instead of after a round trip. The page may not import the
 * core's code (style guide §1), so this is a copy of its rule; test/webview/gridText.test.ts holds the two
 * to the same answers, and the host checks again.
 */
export function checkGridText(text: string): GridCheck {
  if (text.trim().toLowerCase() === 'nines') return { ok: true, kind: 'nines' };
  const parts = text.trim().split(':');
  const nums = parts.map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (parts.length !== 3 || nums.some((x) => !Number.isFinite(x))) {
    return { ok: false, message: 'Write the grid as from:to:step (for example 99:100:0.01) or as nines.' };
  }
  const [from, to, step] = nums as [number, number, number];
  if (!(step > 0)) return { ok: false, message: `The step must be positive; got ${step}.` };
  if (!(from <= to)) return { ok: false, message: `The start ${from} is above the end ${to}.` };
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > maxGridCandidates) return { ok: false, message: `${count} candidates; at most ${maxGridCandidates} are allowed.` };
  // The core's own loop, so that rounding decides the ends exactly as it does there.
  let listed = 0;
  for (let i = 0; ; i++) {
    const raw = from + i * step;
    if (!(raw <= to + step * 1e-9)) break;
    const p = Number(raw.toFixed(10));
    if (!(p > 50 && p <= 100)) return { ok: false, message: 'Percentiles must lie in (50, 100]: above 50, at most 100.' };
    listed += 1;
  }
  return { ok: true, kind: 'range', count: listed };
}

/** True when P is a percentile the core accepts: 50 < P ≤ 100. */
export function isValidPercentile(p: number): boolean {
  return Number.isFinite(p) && p > 50 && p <= 100;
}
