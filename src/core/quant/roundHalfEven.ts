/** 1.5·2^52: adding and subtracting it leaves the nearest integer, ties to even, in IEEE round-to-nearest. */
const roundingMagic = 6755399441055744;
const twoPow51 = 2251799813685248;
const twoPow52 = 4503599627370496;

/**
 * Rounds half to even, exactly as numpy.round does (Math.round rounds halves up and is a
 * data-dependent branch in V8). The magic-number form is exact for |x| < 2^51; doubles from
 * 2^52 on are integers already; the band between takes the slow exact path.
 */
export function roundHalfEven(x: number): number {
  if (Math.abs(x) < twoPow51) return (x + roundingMagic) - roundingMagic;
  if (!(Math.abs(x) < twoPow52)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}
