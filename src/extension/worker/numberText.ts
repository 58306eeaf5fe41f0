/** A count with thousands separators: 12,345. */
export function countText(n: number): string {
  return n.toLocaleString('en-US');
}

/** A fraction as a percentage: 0.001 → "0.1%". */
export function shareText(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
