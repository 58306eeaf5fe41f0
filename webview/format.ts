/** Number formats of the page: one locale so that figures read the same as the CLI and the Python snippet. */
const locale = 'en-US';

/** Significant digits of a measured value (scale, MSE, ...): as many as the CLI prints. */
export const valueDigits = 6;

const countFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const valueFormat = new Intl.NumberFormat(locale, { maximumSignificantDigits: valueDigits });
const percentFormat = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });

/**
 * A real number with up to 6 significant digits and thousands separators; exponent form when tiny
 * or huge; ∞ for infinities. `null` is what JSON makes of a non-finite number.
 */
export function formatValue(x: number | null): string {
  if (x === null || Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(valueDigits - 1).replace(/\.?0+e/, 'e');
  return valueFormat.format(x === 0 ? 0 : x);
}

/** A count with thousands separators: 1,048,576. */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** A fraction as a percentage with 3 significant digits: 0.002 → "0.2%". */
export function formatShare(fraction: number): string {
  if (fraction === 0) return '0%';
  return `${percentFormat.format(fraction * 100)}%`;
}

/** SQNR in dB with two decimals; an error of exactly zero is ∞ dB (JSON carries Infinity as null). */
export function formatDb(db: number | null): string {
  if (db === null || db === Infinity) return '∞ dB';
  if (db === -Infinity) return '−∞ dB';
  return `${db.toFixed(2)} dB`;
}

/** SQNR as it arrives: Infinity, or null after JSON, means nothing was lost. */
export function sqnrValue(db: number | null): number {
  return db === null ? Infinity : db;
}

/** A percentile P as typed: up to 10 decimals (the grid's rounding), no trailing zeros. */
export function formatPercentile(p: number): string {
  return String(Number(p.toFixed(10)));
}

/** English ordinal of a percentile: 1st, 2nd, 3rd, 11th, 0.5th, 99.9th. */
export function ordinal(p: number): string {
  const text = formatPercentile(p);
  if (!Number.isInteger(p)) return `${text}th`;
  const mod100 = Math.abs(p) % 100;
  const mod10 = Math.abs(p) % 10;
  if (mod100 >= 11 && mod100 <= 13) return `${text}th`;
  return `${text}${mod10 === 1 ? 'st' : mod10 === 2 ? 'nd' : mod10 === 3 ? 'rd' : 'th'}`;
}

/** Shape as numpy prints it: (3,), (2, 3), (). */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** How a loss changed against the baseline, in words: "93.1% lower", "12% higher", "same". */
export function formatChange(current: number, baseline: number): string {
  if (current === baseline) return 'same';
  if (baseline === 0 || !Number.isFinite(current) || !Number.isFinite(baseline)) return '—';
  const ratio = current / baseline;
  // Past doubling a factor reads better than a percentage ("413× higher", not "41,200% higher").
  if (ratio >= 2) return `${percentFormat.format(ratio)}× higher`;
  const percent = percentFormat.format(Math.abs(ratio - 1) * 100);
  return `${percent}% ${ratio < 1 ? 'lower' : 'higher'}`;
}

/** How SQNR changed against the baseline: "+11.52 dB", "−3.1 dB". */
export function formatDbChange(current: number, baseline: number): string {
  if (current === baseline) return 'same';
  if (!Number.isFinite(current) || !Number.isFinite(baseline)) return current > baseline ? 'higher' : 'lower';
  const d = current - baseline;
  return `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(2)} dB`;
}
