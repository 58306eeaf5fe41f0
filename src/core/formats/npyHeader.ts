import { readExact, type ByteSource } from '../byteSource';
import { dtypeBytes, type DType } from '../dtype';
import { TensorFormatError } from '../errors';
import { formatShape } from '../tensor';
import { parseNpyDescr } from './npyDtype';
import { quoteBytes } from './quoteBytes';
import { formatPythonLiteral, parsePythonLiteral, PythonLiteralSyntaxError, pythonTypeName, type PythonLiteral } from './pythonLiteral';

/** The first six bytes of every .npy file. */
export const npyMagic: Uint8Array = Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);

/**
 * Largest header read. numpy refuses headers over 10000 characters unless the file is trusted
 * (`_MAX_HEADER_SIZE` in numpy/lib/_format_impl.py); any real numeric array's header is far smaller.
 */
export const maxHeaderBytes = 65536;

/** The header keys numpy writes and requires, no more and no fewer (`EXPECTED_KEYS`). */
const expectedKeys = ['descr', 'fortran_order', 'shape'] as const;

/** Header length field: 2 bytes in version 1.0, 4 in 2.0 and 3.0; 3.0 headers are UTF-8, the others latin-1. */
const versions: Readonly<Record<string, { readonly lengthBytes: number; readonly isUtf8: boolean }>> = {
  '1.0': { lengthBytes: 2, isUtf8: false },
  '2.0': { lengthBytes: 4, isUtf8: false },
  '3.0': { lengthBytes: 4, isUtf8: true },
};

/** What an .npy header says about its array. */
export interface NpyHeader {
  /** Format version, '1.0', '2.0' or '3.0'. */
  readonly version: string;
  /** The header's descr as written, e.g. '<f4'. */
  readonly descr: string;
  readonly dtype: DType;
  readonly isLittleEndian: boolean;
  /** True when the data is stored column-major (the shape is still the array's shape). */
  readonly isFortranOrder: boolean;
  readonly shape: readonly number[];
  /** Number of elements (1 for a 0-d array). */
  readonly count: number;
  /** Byte offset of the first data byte. */
  readonly dataOffset: number;
  /** Bytes of data the shape and dtype call for. */
  readonly dataBytes: number;
}

/** True when the bytes start with the .npy magic string (`\x93NUMPY`). */
export function isNpy(head: Uint8Array): boolean {
  if (head.length < npyMagic.length) return false;
  for (let i = 0; i < npyMagic.length; i++) if (head[i] !== npyMagic[i]) return false;
  return true;
}

/**
 * Reads and checks an .npy header as numpy's `read_array_header_*` does, and checks that the file
 * holds all the data the header calls for (more is tolerated, as numpy tolerates it).
 */
export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  const fileName = source.name;
  const head = await readExact(source, 0, Math.min(source.size, npyMagic.length + 2), 'the magic string');
  const isPrefixOfMagic = head.every((byte, i) => i >= npyMagic.length || byte === npyMagic[i]);
  if (!isPrefixOfMagic || head.length === 0) {
    throw new TensorFormatError(`Bad magic in ${fileName}: expected '\\x93NUMPY', found ${quoteBytes(head.subarray(0, npyMagic.length))}.`, { offset: 0 });
  }
  await readExact(source, npyMagic.length, 2, 'the format version');
  const version = `${head[6]}.${head[7]}`;
  const layout = versions[version];
  if (layout === undefined) {
    throw new TensorFormatError(`Unsupported .npy version ${version} in ${fileName}; expected 1.0, 2.0 or 3.0.`, { offset: 6 });
  }
  const lengthOffset = npyMagic.length + 2;
  const lengthField = await readExact(source, lengthOffset, layout.lengthBytes, 'the header length');
  const lengthView = new DataView(lengthField.buffer, lengthField.byteOffset, lengthField.length);
  const headerBytes = layout.lengthBytes === 2 ? lengthView.getUint16(0, true) : lengthView.getUint32(0, true);
  const headerOffset = lengthOffset + layout.lengthBytes;
  if (headerBytes > maxHeaderBytes) {
    throw new TensorFormatError(`Invalid header in ${fileName}: it claims ${headerBytes} bytes; expected at most ${maxHeaderBytes}.`, { offset: lengthOffset });
  }
  const raw = await readExact(source, headerOffset, headerBytes, 'the header');
  const text = decodeHeaderText(raw, layout.isUtf8, fileName, headerOffset);
  const dict = parseHeaderDict(text, version, fileName, headerOffset);

  const shape = parseShape(dict.get('shape')!, fileName);
  const fortranOrder = dict.get('fortran_order')!;
  if (fortranOrder.kind !== 'bool') {
    throw new TensorFormatError(`Invalid fortran_order ${formatPythonLiteral(fortranOrder)} in ${fileName}; expected True or False.`, { offset: headerOffset });
  }
  const descr = dict.get('descr')!;
  const { dtype, isLittleEndian } = parseNpyDescr(descr, fileName);
  const count = shapeCountChecked(shape, dtypeBytes[dtype], fileName);
  const dataOffset = headerOffset + headerBytes;
  const dataBytes = count * dtypeBytes[dtype];
  if (dataOffset + dataBytes > source.size) {
    throw new TensorFormatError(
      `${fileName} is truncated: data of shape ${formatShape(shape)} ${dtype} needs bytes ${dataOffset}..${dataOffset + dataBytes} but the file has ${source.size}.`,
      { offset: Math.min(dataOffset, source.size) },
    );
  }
  return {
    version,
    descr: descr.kind === 'str' ? descr.value : formatPythonLiteral(descr),
    dtype,
    isLittleEndian,
    isFortranOrder: fortranOrder.value,
    shape,
    count,
    dataOffset,
    dataBytes,
  };
}

function decodeHeaderText(raw: Uint8Array, isUtf8: boolean, fileName: string, headerOffset: number): string {
  if (isUtf8) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new TensorFormatError(`Invalid header in ${fileName}: not valid UTF-8 text, as version 3.0 requires.`, { offset: headerOffset });
    }
  }
  // Latin-1 maps each byte to the code point of the same value (TextDecoder's 'latin1' is windows-1252).
  let text = '';
  const step = 8192;
  for (let i = 0; i < raw.length; i += step) text += String.fromCharCode(...raw.subarray(i, i + step));
  return text;
}

function parseHeaderDict(text: string, version: string, fileName: string, headerOffset: number): Map<string, PythonLiteral> {
  let literal: PythonLiteral;
  try {
    literal = parsePythonLiteral(text, { allowLongSuffix: version !== '3.0' });
  } catch (err) {
    if (!(err instanceof PythonLiteralSyntaxError)) throw err;
    throw new TensorFormatError(`Invalid header in ${fileName}: ${err.message}; expected a Python dict literal.`, { offset: headerOffset + err.index });
  }
  if (literal.kind !== 'dict') {
    throw new TensorFormatError(`Invalid header in ${fileName}: found a ${pythonTypeName(literal)}; expected a Python dict literal.`, { offset: headerOffset });
  }
  const dict = new Map<string, PythonLiteral>();
  let hasOtherKeys = false;
  for (const [key, value] of literal.entries) {
    if (key.kind === 'str') dict.set(key.value, value);
    else hasOtherKeys = true;
  }
  if (hasOtherKeys || dict.size !== expectedKeys.length || !expectedKeys.every((k) => dict.has(k))) {
    const found = literal.entries.map(([key]) => formatPythonLiteral(key));
    throw new TensorFormatError(
      `Invalid header in ${fileName}: keys are ${found.length > 0 ? found.join(', ') : 'none'}; expected 'descr', 'fortran_order' and 'shape'.`,
      { offset: headerOffset },
    );
  }
  return dict;
}

function parseShape(literal: PythonLiteral, fileName: string): number[] {
  const isValid =
    literal.kind === 'tuple' &&
    literal.items.every((dim) => dim.kind === 'int' && dim.value >= 0n && dim.value <= BigInt(Number.MAX_SAFE_INTEGER));
  if (!isValid) {
    throw new TensorFormatError(`Invalid shape ${formatPythonLiteral(literal)} in ${fileName}; expected a tuple of non-negative integers.`);
  }
  return literal.items.map((dim) => Number((dim as { value: bigint }).value));
}

/** The element count, refusing shapes whose byte size cannot be a real file offset. */
function shapeCountChecked(shape: readonly number[], itemBytes: number, fileName: string): number {
  let count = 1n;
  for (const dim of shape) count *= BigInt(dim);
  if (count * BigInt(itemBytes) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TensorFormatError(`Invalid shape ${formatShape(shape)} in ${fileName}: ${count} elements are more than any file can hold.`);
  }
  return Number(count);
}
