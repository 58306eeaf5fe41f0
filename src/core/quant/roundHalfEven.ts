/** 1.5·2^52: adding and subtracting it leaves the nearest integer, ties to even, in IEEE round-to-nearest. */
const roundingMagic = 6755399441055744;

/**
 * Rounds half to even, exactly as numpy.round does (Math.round rounds halves up and is a
 * data-dependent branch in V8). Exact for |x| < 2^51; larger doubles are already integers.
 */
export function roundHalfEven(x: number): number {
  if (!(Math.abs(x) < 2251799813685248)) return x;
  return (x + roundingMagic) - roundingMagic;
}
