/**
 * numpy.percentile(x, p) with method 'linear', bit for bit, given the finite values sorted
 * ascending. The operation order follows numpy's _lerp (numpy/lib/_function_base_impl.py).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  return percentileOfRanks((rank) => sorted[rank], sorted.length, p);
}

/** percentileOfSorted for n values known by rank (`valueAt(r)`: the r-th smallest, from 0), without the sorted array. */
export function percentileOfRanks(valueAt: (rank: number) => number, n: number, p: number): number {
  const h = (n - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const t = h - lo;
  const a = valueAt(lo);
  const b = valueAt(hi);
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}
