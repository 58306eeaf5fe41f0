/** Element types Clipwise reads, named as numpy names them. */
export type DType =
  | 'bool'
  | 'int8' | 'int16' | 'int32' | 'int64'
  | 'uint8' | 'uint16' | 'uint32' | 'uint64'
  | 'float16' | 'bfloat16' | 'float32' | 'float64'
  | 'float8_e4m3fn' | 'float8_e5m2';

/** Bytes per element of each dtype. */
export const dtypeBytes: Readonly<Record<DType, number>> = {
  bool: 1,
  int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8,
  float16: 2, bfloat16: 2, float32: 4, float64: 8,
  float8_e4m3fn: 1, float8_e5m2: 1,
};

/** True when the name is one of Clipwise's dtypes. */
export function isDType(name: string): name is DType {
  return Object.prototype.hasOwnProperty.call(dtypeBytes, name);
}
