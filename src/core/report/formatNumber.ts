/**
 * A number as a person reads it, the same in the CLI, the extension's messages and the worker's
 * diagnostics: integers as they are, else up to 6 significant digits, exponent form when tiny or
 * huge. `null` (what JSON makes of a non-finite number) is '-'.
 */
export function formatNumber(x: number | null): string {
  if (x === null) return '-';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x === 0 ? 0 : x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(4);
  return String(Number(x.toPrecision(6)));
}
