import { dtypeBytes, type DType } from '../dtype';
import { isHostLittleEndian } from './decodeElements';
import { npyMagic } from './npyHeader';

/** The dtypes `encodeNpy` writes: those numpy has a plain descr for, except float16. */
export type NpyWritableDType = Exclude<DType, 'float16' | 'bfloat16' | 'float8_e4m3fn' | 'float8_e5m2'>;

/** Values to write, in C (row-major) order: a typed array or plain numbers. */
export type NpyWritableValues =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | readonly number[];

/** numpy's header alignment (`ARRAY_ALIGN` in numpy/lib/_format_impl.py). */
const headerAlignBytes = 64;
/** Spare header room numpy leaves for the growing axis (`GROWTH_AXIS_MAX_DIGITS`). */
const growthAxisMaxDigits = 21;
/** Largest header a version 1.0 length field (uint16) can state. */
const maxVersion1HeaderBytes = 0xffff;

const descrs: Readonly<Record<NpyWritableDType, string>> = {
  bool: '|b1',
  int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8',
  uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8',
  float32: '<f4', float64: '<f8',
};

/** Integer dtypes' ranges as [least, one past the greatest] (2^63 - 1 is not a float64). */
const integerRanges: Partial<Record<NpyWritableDType, readonly [number, number]>> = {
  int8: [-(2 ** 7), 2 ** 7], int16: [-(2 ** 15), 2 ** 15], int32: [-(2 ** 31), 2 ** 31], int64: [-(2 ** 63), 2 ** 63],
  uint8: [0, 2 ** 8], uint16: [0, 2 ** 16], uint32: [0, 2 ** 32], uint64: [0, 2 ** 64],
};

/**
 * Encodes values as an .npy file byte for byte as `numpy.save` writes it: version 1.0 (2.0 when
 * the header needs it), little-endian, C order, header padded to 64 bytes and ended by '\n'.
 * Integer dtypes take only integers in range; float32 rounds to nearest.
 */
export function encodeNpy(values: NpyWritableValues, shape: readonly number[], dtype: NpyWritableDType): Uint8Array {
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`encodeNpy: invalid dimension ${dim} in shape [${shape.join(', ')}].`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new RangeError(`encodeNpy: ${values.length} values do not fill shape [${shape.join(', ')}].`);
  const header = encodeHeader(descrs[dtype], shape);
  const file = new Uint8Array(header.length + count * dtypeBytes[dtype]);
  file.set(header, 0);
  writeData(values, dtype, file.subarray(header.length));
  return file;
}

function encodeHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  if (shape.length > 0) dict += ' '.repeat(growthAxisMaxDigits - String(shape[0]).length);
  const textBytes = dict.length + 1;
  const padFor = (prefixBytes: number) => headerAlignBytes - ((prefixBytes + textBytes) % headerAlignBytes);
  const lengthBytes = textBytes + padFor(npyMagic.length + 4) > maxVersion1HeaderBytes ? 4 : 2;
  const prefixBytes = npyMagic.length + 2 + lengthBytes;
  const padBytes = padFor(prefixBytes);
  const header = new Uint8Array(prefixBytes + textBytes + padBytes);
  header.set(npyMagic, 0);
  header[npyMagic.length] = lengthBytes === 2 ? 1 : 2;
  header[npyMagic.length + 1] = 0;
  const view = new DataView(header.buffer);
  if (lengthBytes === 2) view.setUint16(npyMagic.length + 2, textBytes + padBytes, true);
  else view.setUint32(npyMagic.length + 2, textBytes + padBytes, true);
  for (let i = 0; i < dict.length; i++) header[prefixBytes + i] = dict.charCodeAt(i);
  header.fill(0x20, prefixBytes + dict.length, header.length - 1);
  header[header.length - 1] = 0x0a;
  return header;
}

function writeData(values: NpyWritableValues, dtype: NpyWritableDType, out: Uint8Array): void {
  if (isSameType(values, dtype) && (isHostLittleEndian || dtypeBytes[dtype] === 1)) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const range = integerRanges[dtype];
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (range !== undefined && !(Number.isInteger(v) && v >= range[0] && v < range[1])) {
      throw new RangeError(`encodeNpy: value ${v} at index ${i} does not fit ${dtype}.`);
    }
    switch (dtype) {
      case 'bool': view.setUint8(i, v === 0 ? 0 : 1); break;
      case 'int8': view.setInt8(i, v); break;
      case 'uint8': view.setUint8(i, v); break;
      case 'int16': view.setInt16(2 * i, v, true); break;
      case 'uint16': view.setUint16(2 * i, v, true); break;
      case 'int32': view.setInt32(4 * i, v, true); break;
      case 'uint32': view.setUint32(4 * i, v, true); break;
      case 'int64': view.setBigInt64(8 * i, BigInt(v), true); break;
      case 'uint64': view.setBigUint64(8 * i, BigInt(v), true); break;
      case 'float32': view.setFloat32(4 * i, v, true); break;
      case 'float64': view.setFloat64(8 * i, v, true); break;
    }
  }
}

function isSameType(values: NpyWritableValues, dtype: NpyWritableDType): values is Exclude<NpyWritableValues, readonly number[]> {
  switch (dtype) {
    case 'uint8': return values instanceof Uint8Array;
    case 'int8': return values instanceof Int8Array;
    case 'uint16': return values instanceof Uint16Array;
    case 'int16': return values instanceof Int16Array;
    case 'uint32': return values instanceof Uint32Array;
    case 'int32': return values instanceof Int32Array;
    case 'float32': return values instanceof Float32Array;
    case 'float64': return values instanceof Float64Array;
    default: return false;
  }
}
