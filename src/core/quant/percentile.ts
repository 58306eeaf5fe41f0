/**
 * numpy.percentile(x, p) with method 'linear', bit for bit, given the finite values sorted
 * ascending. The operation order follows numpy's _lerp (numpy/lib/_function_base_impl.py).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}
