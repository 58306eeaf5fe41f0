import type { DType } from '../dtype';
import { TensorFormatError } from '../errors';
import { isHostLittleEndian } from './decodeElements';
import { formatPythonLiteral, type PythonLiteral } from './pythonLiteral';

/** An .npy element type: Clipwise's dtype and the byte order of the data. */
export interface NpyDtype {
  readonly dtype: DType;
  readonly isLittleEndian: boolean;
}

/** numpy type codes (kind + item size, or numpy's one-letter codes of fixed size) Clipwise reads. */
const npyTypeCodes: Readonly<Record<string, DType>> = {
  b1: 'bool', '?': 'bool',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64',
  b: 'int8', B: 'uint8', h: 'int16', H: 'uint16', i: 'int32', I: 'uint32', q: 'int64', Q: 'uint64',
  e: 'float16', f: 'float32', d: 'float64',
};

/** Why a numpy kind is refused, said to the person who opened the file. */
const refusedKinds: Readonly<Record<string, string>> = {
  O: 'pickled object arrays are not read',
  c: 'expected a real numeric dtype',
  F: 'expected a real numeric dtype',
  D: 'expected a real numeric dtype',
  G: 'expected a real numeric dtype',
  S: 'strings are not read, expected a real numeric dtype',
  a: 'strings are not read, expected a real numeric dtype',
  U: 'strings are not read, expected a real numeric dtype',
  T: 'strings are not read, expected a real numeric dtype',
  V: 'raw bytes are not read, expected a real numeric dtype',
  M: 'dates and times are not read, expected a real numeric dtype',
  m: 'dates and times are not read, expected a real numeric dtype',
};

/** Longest descr quoted in a message before it is cut short. */
const maxQuotedDescrChars = 80;

/**
 * Maps a header's `descr` to a dtype and byte order. As in numpy's `descr_to_dtype`, a string is a
 * plain dtype; '|', '=' and no prefix mean the reading machine's order.
 */
export function parseNpyDescr(descr: PythonLiteral, fileName: string): NpyDtype {
  if (descr.kind === 'list' || descr.kind === 'tuple') {
    const what = descr.kind === 'list' ? 'structured' : 'subarray';
    throw new TensorFormatError(`Unsupported ${what} dtype ${quoteDescr(descr)} in ${fileName}; expected a single real numeric dtype.`);
  }
  if (descr.kind !== 'str') {
    throw new TensorFormatError(`Invalid descr ${quoteDescr(descr)} in ${fileName}; expected a dtype string such as '<f4'.`);
  }
  const text = descr.value;
  const match = /^([<>|=]?)(.*)$/s.exec(text)!;
  const [, order, code] = match;
  const dtype = Object.prototype.hasOwnProperty.call(npyTypeCodes, code) ? npyTypeCodes[code] : undefined;
  if (dtype === undefined) {
    const kind = code.charAt(0);
    const reason = Object.prototype.hasOwnProperty.call(refusedKinds, kind) ? refusedKinds[kind] : 'expected a real numeric dtype';
    throw new TensorFormatError(`Unsupported dtype ${quoteDescr(descr)} in ${fileName}; ${reason}.`);
  }
  const isLittleEndian = order === '<' ? true : order === '>' ? false : isHostLittleEndian;
  return { dtype, isLittleEndian };
}

function quoteDescr(descr: PythonLiteral): string {
  const text = formatPythonLiteral(descr);
  return text.length <= maxQuotedDescrChars ? text : `${text.slice(0, maxQuotedDescrChars - 3)}...`;
}
