import { dtypeBytes, type DType } from '../dtype';

/** True when this machine stores multi-byte numbers little-endian (typed arrays use the host order). */
export const isHostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Elements converted to float64, and how many of them could not be converted exactly. */
export interface DecodedElements {
  readonly values: Float64Array;
  /** int64/uint64 elements beyond 2^53 that were rounded to the nearest float64. */
  readonly inexactCount: number;
}

/** Converts raw element bytes of `dtype` to float64, exactly (large int64/uint64 round to nearest and are counted). */
export function decodeElements(bytes: Uint8Array, dtype: DType, isLittleEndian: boolean): DecodedElements {
  const values = new Float64Array(elementCount(bytes, dtype));
  const inexactCount = decodeElementsInto(bytes, dtype, isLittleEndian, values, 0);
  return { values, inexactCount };
}

/**
 * Converts raw element bytes of `dtype` into `out` starting at `outOffset`, for chunked reads;
 * returns the number of int64/uint64 elements that were rounded.
 */
export function decodeElementsInto(bytes: Uint8Array, dtype: DType, isLittleEndian: boolean, out: Float64Array, outOffset: number): number {
  const n = elementCount(bytes, dtype);
  if (!Number.isSafeInteger(outOffset) || outOffset < 0 || outOffset + n > out.length) {
    throw new RangeError(`decodeElementsInto: ${n} elements do not fit at offset ${outOffset} of ${out.length}.`);
  }
  switch (dtype) {
    case 'bool':
      for (let i = 0; i < n; i++) out[outOffset + i] = bytes[i] === 0 ? 0 : 1;
      return 0;
    case 'uint8':
      out.set(bytes, outOffset);
      return 0;
    case 'int8':
      out.set(new Int8Array(bytes.buffer, bytes.byteOffset, n), outOffset);
      return 0;
    case 'float8_e4m3fn':
      lookUp(bytes, float8E4m3fnTable(), out, outOffset);
      return 0;
    case 'float8_e5m2':
      lookUp(bytes, float8E5m2Table(), out, outOffset);
      return 0;
    default:
      break;
  }
  const size = dtypeBytes[dtype];
  if (isLittleEndian === isHostLittleEndian && bytes.byteOffset % size === 0) {
    return decodeHostOrder(bytes.buffer, bytes.byteOffset, n, dtype, out, outOffset);
  }
  // Swapped or unaligned: go through a small reused buffer, block by block, so a big
  // tensor costs no big allocation and the swap stays in cache.
  const blockElements = scratch.byteLength / size;
  const isSwapped = isLittleEndian !== isHostLittleEndian;
  const scratchBytes = new Uint8Array(scratch);
  let inexactCount = 0;
  for (let start = 0; start < n; start += blockElements) {
    const count = Math.min(blockElements, n - start);
    scratchBytes.set(bytes.subarray(start * size, (start + count) * size));
    if (isSwapped) swapInPlace(scratch, count, size);
    inexactCount += decodeHostOrder(scratch, 0, count, dtype, out, outOffset + start);
  }
  return inexactCount;
}

/** 64 KiB, a multiple of every element size. */
const scratch = new ArrayBuffer(1 << 16);

type MultiByteDType = Exclude<DType, 'bool' | 'int8' | 'uint8' | 'float8_e4m3fn' | 'float8_e5m2'>;

function decodeHostOrder(buffer: ArrayBufferLike, byteOffset: number, n: number, dtype: MultiByteDType, out: Float64Array, outOffset: number): number {
  switch (dtype) {
    case 'int16':
      out.set(new Int16Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'uint16':
      out.set(new Uint16Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'int32':
      out.set(new Int32Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'uint32':
      out.set(new Uint32Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'float32':
      out.set(new Float32Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'float64':
      out.set(new Float64Array(buffer, byteOffset, n), outOffset);
      return 0;
    case 'float16':
      lookUp(new Uint16Array(buffer, byteOffset, n), float16Table(), out, outOffset);
      return 0;
    case 'bfloat16':
      lookUp(new Uint16Array(buffer, byteOffset, n), bfloat16Table(), out, outOffset);
      return 0;
    case 'int64':
      return decodeInt64(new Uint32Array(buffer, byteOffset, 2 * n), true, out, outOffset);
    case 'uint64':
      return decodeInt64(new Uint32Array(buffer, byteOffset, 2 * n), false, out, outOffset);
  }
}

function elementCount(bytes: Uint8Array, dtype: DType): number {
  const size = dtypeBytes[dtype];
  if (bytes.length % size !== 0) {
    throw new RangeError(`decodeElements: ${bytes.length} bytes is not a whole number of ${dtype} elements.`);
  }
  return bytes.length / size;
}

function lookUp(codes: Uint8Array | Uint16Array, table: Float64Array, out: Float64Array, outOffset: number): void {
  const n = codes.length;
  for (let i = 0; i < n; i++) out[outOffset + i] = table[codes[i]];
}

function swapInPlace(buffer: ArrayBuffer, count: number, size: number): void {
  if (size === 2) {
    const u16 = new Uint16Array(buffer, 0, count);
    for (let i = 0; i < count; i++) {
      const x = u16[i];
      u16[i] = (x >>> 8) | ((x & 0xff) << 8);
    }
    return;
  }
  const u32 = new Uint32Array(buffer, 0, (count * size) / 4);
  if (size === 4) {
    for (let i = 0; i < count; i++) u32[i] = swap32(u32[i]);
    return;
  }
  for (let i = 0; i < 2 * count; i += 2) {
    const first = u32[i];
    u32[i] = swap32(u32[i + 1]);
    u32[i + 1] = swap32(first);
  }
}

function swap32(x: number): number {
  return ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) >>> 0;
}

const two32 = 2 ** 32;
/** Below this high word (2^53 / 2^32) every 64-bit integer is exact in float64. */
const exactHighWordBound = 2 ** 21;

/**
 * hi * 2^32 is exact and the sum is one IEEE addition, so the result is the exact value rounded
 * to nearest-even, as numpy's `astype(float64)` gives; the Sterbenz lemma makes `v - high` exact,
 * so comparing it with `lo` tells whether rounding happened.
 */
function decodeInt64(words: Uint32Array, isSigned: boolean, out: Float64Array, outOffset: number): number {
  const loIndex = isHostLittleEndian ? 0 : 1;
  const hiIndex = 1 - loIndex;
  const n = words.length / 2;
  let inexactCount = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i + loIndex];
    const hiBits = words[2 * i + hiIndex];
    const hi = isSigned ? hiBits | 0 : hiBits;
    const high = hi * two32;
    const v = high + lo;
    out[outOffset + i] = v;
    if ((hi >= exactHighWordBound || hi < -exactHighWordBound) && v - high !== lo) inexactCount++;
  }
  return inexactCount;
}

/** Decodes a small IEEE-style binary float: `exponentBits`, `mantissaBits`, bias 2^(e-1)-1, with subnormals. */
function decodeMinifloat(bits: number, exponentBits: number, mantissaBits: number, hasInfinity: boolean): number {
  const sign = bits >>> (exponentBits + mantissaBits) ? -1 : 1;
  const exponentMax = (1 << exponentBits) - 1;
  const exponent = (bits >>> mantissaBits) & exponentMax;
  const mantissa = bits & ((1 << mantissaBits) - 1);
  const bias = (1 << (exponentBits - 1)) - 1;
  if (exponent === exponentMax) {
    if (hasInfinity) return mantissa === 0 ? sign * Infinity : NaN;
    // float8_e4m3fn (OCP FP8 spec): only S.1111.111 is NaN; the top exponent holds normal values.
    if (mantissa === (1 << mantissaBits) - 1) return NaN;
  }
  if (exponent === 0) return sign * mantissa * 2 ** (1 - bias - mantissaBits);
  return sign * ((1 << mantissaBits) + mantissa) * 2 ** (exponent - bias - mantissaBits);
}

function buildTable(size: number, decode: (bits: number) => number): Float64Array {
  const table = new Float64Array(size);
  for (let bits = 0; bits < size; bits++) table[bits] = decode(bits);
  return table;
}

let float16Cache: Float64Array | undefined;
let bfloat16Cache: Float64Array | undefined;
let float8E4m3fnCache: Float64Array | undefined;
let float8E5m2Cache: Float64Array | undefined;

/** IEEE 754 binary16: 5 exponent bits, 10 mantissa bits. */
function float16Table(): Float64Array {
  return (float16Cache ??= buildTable(1 << 16, (bits) => decodeMinifloat(bits, 5, 10, true)));
}

/** bfloat16 is the upper half of an IEEE binary32. */
function bfloat16Table(): Float64Array {
  if (bfloat16Cache) return bfloat16Cache;
  const words = new Uint32Array(1 << 16);
  for (let bits = 0; bits < words.length; bits++) words[bits] = bits << 16;
  bfloat16Cache = new Float64Array(new Float32Array(words.buffer));
  return bfloat16Cache;
}

/** OCP FP8 E4M3 "fn": bias 7, no infinities, S.1111.111 is NaN, largest finite 448. */
function float8E4m3fnTable(): Float64Array {
  return (float8E4m3fnCache ??= buildTable(1 << 8, (bits) => decodeMinifloat(bits, 4, 3, false)));
}

/** OCP FP8 E5M2: bias 15, IEEE-like with infinities and NaNs, largest finite 57344. */
function float8E5m2Table(): Float64Array {
  return (float8E5m2Cache ??= buildTable(1 << 8, (bits) => decodeMinifloat(bits, 5, 2, true)));
}
