/** A number for a message: integers as they are, else up to 6 significant digits (as the CLI prints). */
export function numberText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x === 0 ? 0 : x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) return x.toExponential(4);
  return String(Number(x.toPrecision(6)));
}

/** A count with thousands separators: 12,345. */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}

/** A fraction as a percentage: 0.001 → "0.1%". */
export function shareText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
