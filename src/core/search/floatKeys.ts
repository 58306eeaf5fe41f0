/**
 * Float32 values as order keys: the IEEE bits with every bit but the sign flipped for a negative value,
 * read as a signed int32 (`bits ^ ((bits >> 31) & 0x7fffffff)`). Integer order is value order (-0 just
 * before +0), the same transform the radix sort buckets on, and it is its own inverse. A predicate on
 * values that is monotone (x >= y, x > y, the code of x above q) holds exactly for the keys from some
 * key on, so each is one threshold key.
 */

/** Key of the most negative finite float32 (-3.4028235e38). */
export const minFiniteKey = (0xff7fffff ^ 0x7fffffff) | 0;
/** Key of the largest finite float32: finite values have keys in [minFiniteKey, maxFiniteKey]. */
export const maxFiniteKey = 0x7f7fffff;

const bitsView = new Int32Array(1);
const floatView = new Float32Array(bitsView.buffer);

/** The float32 value of a key. */
export function valueOfKey(key: number): number {
  bitsView[0] = key ^ ((key >> 31) & 0x7fffffff);
  return floatView[0];
}

/** The key of a float32 value (x must be a float32, and not NaN). */
export function keyOfFloat32(x: number): number {
  floatView[0] = x;
  const bits = bitsView[0];
  return bits ^ ((bits >> 31) & 0x7fffffff);
}

/**
 * The first key in [minFiniteKey, maxFiniteKey + 1] from which `holds(valueOfKey(key))` is true, given
 * that it is monotone (false, then true) and that `guess` is near that key: stepped from the guess, with a
 * bisection should the guess be far off.
 */
export function firstKeyWhere(holds: (x: number) => boolean, guess: number): number {
  let k = Math.min(Math.max(guess, minFiniteKey), maxFiniteKey + 1);
  for (let step = 0; step < 8; step++) {
    if (k > minFiniteKey && holds(valueOfKey(k - 1))) k--;
    else if (k <= maxFiniteKey && !holds(valueOfKey(k))) k++;
    else return k;
  }
  let lo = minFiniteKey;
  let hi = maxFiniteKey + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(valueOfKey(mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A key near the float32 nearest to y, as a starting guess for firstKeyWhere. */
export function guessKey(y: number): number {
  if (!(y > -3.4028234663852886e38)) return minFiniteKey;
  if (!(y < 3.4028234663852886e38)) return maxFiniteKey + 1;
  return keyOfFloat32(Math.fround(y));
}

/** First key whose value is >= y: the values below it are the x < y. */
export function firstKeyAtLeast(y: number): number {
  return firstKeyWhere((x) => x >= y, guessKey(y));
}

/** First key whose value is > y: the values from it on are the x > y. */
export function firstKeyAbove(y: number): number {
  return firstKeyWhere((x) => x > y, guessKey(y));
}
