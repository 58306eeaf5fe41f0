/** Splits a double for Dekker's exact product. */
const splitter = 134217729;

/**
 * The rounding error of p = fl(a·b): a·b = p + productError(a, b, p) exactly (Dekker's product; JavaScript
 * has no fused multiply-add), barring overflow and underflow.
 */
export function productError(a: number, b: number, p: number): number {
  let c = splitter * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = splitter * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
