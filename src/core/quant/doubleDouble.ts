let low = 0;

/** (ah + al) + (bh + bl) as a double-double (Dekker's sum): returns the high word; ddLow() gives the low one. */
export function ddAdd(ah: number, al: number, bh: number, bl: number): number {
  const t = ah + bh;
  const z = t - ah;
  const l = (ah - (t - z)) + (bh - z) + al + bl;
  const h = t + l;
  low = l - (h - t);
  return h;
}

/** The low word of the last ddAdd. */
export function ddLow(): number {
  return low;
}
