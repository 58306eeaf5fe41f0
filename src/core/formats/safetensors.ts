import { readExact, type ByteSource } from '../byteSource';
import type { DType } from '../dtype';
import { dtypeBytes } from '../dtype';
import { TensorFormatError, UsageError } from '../errors';
import { formatShape, type Tensor, type TensorInfo } from '../tensor';
import { checkTensorFits, deferredChunks, readElements, streamElements, streamFloat32 } from './tensorChunks';
import { defaultMaxTensorBytes, type Float32Chunks, type ReadLimits, type TensorChunks, type TensorFile, type WorkControl } from './tensorFile';

/**
 * .safetensors (https://github.com/huggingface/safetensors, README "Format"): an 8-byte
 * little-endian header length N, N bytes of JSON, then the data area, to which every tensor's
 * `data_offsets` are relative. Checks follow the reference reader (safetensors/src/tensor.rs,
 * `read_metadata` and `Metadata::validate`): the header is at most 100 MB; tensors tile the data
 * area exactly, in offset order, with no overlap, no hole and nothing after the last one; each
 * tensor's byte size is its element count times its item size. A duplicate key (which JSON.parse
 * resolves to the last value) leaves its first range unclaimed and so is refused as a hole.
 */

/** The reference reader's MAX_HEADER_SIZE: a longer header is refused before it is read. */
export const maxSafetensorsHeaderBytes = 100_000_000;

/** The format's dtype codes Clipwise reads, mapped to its own dtypes (one table, as netron keeps). */
export const safetensorsDtypes: Readonly<Record<string, DType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U64: 'uint64',
  U32: 'uint32',
  U16: 'uint16',
  U8: 'uint8',
  BOOL: 'bool',
};

const lengthFieldBytes = 8;
const metadataKey = '__metadata__';

/** A .safetensors file: the common interface plus the header's free-form `__metadata__`. */
export interface SafetensorsFile extends TensorFile {
  readonly metadata: Readonly<Record<string, string>>;
}

/** True when the first bytes are a plausible header length (below 2^48) followed by '{', as the format requires. */
export function isSafetensors(head: Uint8Array): boolean {
  return head.length > lengthFieldBytes && head[6] === 0 && head[7] === 0 && head[lengthFieldBytes] === 0x7b;
}

interface Entry {
  readonly info: TensorInfo;
  readonly begin: number;
  readonly end: number;
}

/** Opens a .safetensors file from its header alone; data is read by its offsets, on demand. */
export async function openSafetensors(source: ByteSource, limits: ReadLimits = { maxTensorBytes: defaultMaxTensorBytes }): Promise<SafetensorsFile> {
  const file = source.name;
  const lengthField = await readExact(source, 0, lengthFieldBytes, 'the header length');
  const headerLength = new DataView(lengthField.buffer, lengthField.byteOffset, lengthFieldBytes).getBigUint64(0, true);
  if (headerLength > BigInt(maxSafetensorsHeaderBytes)) {
    throw new TensorFormatError(`The header of ${file} claims ${headerLength} bytes; expected at most ${maxSafetensorsHeaderBytes} (100 MB).`, { offset: 0 });
  }
  const headerBytes = Number(headerLength);
  if (lengthFieldBytes + headerBytes > source.size) {
    throw new TensorFormatError(
      `${file} is truncated or not a .safetensors file: its header length field says ${headerBytes} bytes, but only ${source.size - lengthFieldBytes} follow.`,
      { offset: 0 },
    );
  }
  const raw = await readExact(source, lengthFieldBytes, headerBytes, 'the header');
  const header = parseHeader(raw, file);
  const dataStart = lengthFieldBytes + headerBytes;
  const dataBytes = source.size - dataStart;

  const metadata = parseMetadata(header[metadataKey], file);
  const entries = Object.keys(header)
    .filter((key) => key !== metadataKey)
    .map((name) => parseEntry(name, header[name], file))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkLayout(entries, dataBytes, file, dataStart);

  const byName = new Map(entries.map((e) => [e.info.name, e]));
  const entryNamed = (name: string): Entry => {
    const entry = byName.get(name);
    if (!entry) throw new UsageError(`No tensor '${name}' in ${file}.`);
    return entry;
  };
  const rangeOf = (entry: Entry) => ({
    source,
    name: entry.info.name,
    dtype: entry.info.dtype,
    isLittleEndian: true,
    dataOffset: dataStart + entry.begin,
    count: entry.info.count,
  });
  return {
    format: 'safetensors',
    tensors: entries.map((e) => e.info),
    metadata,
    read: async (name: string, control?: WorkControl): Promise<Tensor> => {
      const entry = entryNamed(name);
      checkTensorFits(name, file, entry.info.count, limits);
      const { values, warnings } = await readElements(rangeOf(entry), control);
      return { ...entry.info, values, warnings };
    },
    readChunks: (name: string, control?: WorkControl): TensorChunks => deferredChunks(() => streamElements(rangeOf(entryNamed(name)), control)),
    readFloat32Chunks: (name: string, control?: WorkControl): Float32Chunks | undefined => {
      const entry = entryNamed(name);
      checkTensorFits(name, file, entry.info.count, limits);
      return streamFloat32(rangeOf(entry), control);
    },
  };
}

function parseHeader(raw: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new TensorFormatError(`The header of ${file} is not valid UTF-8.`, { offset: lengthFieldBytes });
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new TensorFormatError(`The header of ${file} is not valid JSON.`, { offset: lengthFieldBytes });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TensorFormatError(`The header of ${file} is ${describeJson(header)}; expected a JSON object of tensors.`, { offset: lengthFieldBytes });
  }
  return header as Record<string, unknown>;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TensorFormatError(`Invalid __metadata__ in ${file}: found ${describeJson(value)}; expected an object of strings.`, { offset: lengthFieldBytes });
  }
  const metadata: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new TensorFormatError(`Invalid __metadata__ in ${file}: '${key}' is ${describeJson(v)}; expected an object of strings.`, { offset: lengthFieldBytes });
    }
    metadata[key] = v;
  }
  return metadata;
}

function parseEntry(name: string, value: unknown, file: string): Entry {
  const where = `tensor '${name}' in ${file}`;
  const fail = (message: string) => new TensorFormatError(message, { entry: name, offset: lengthFieldBytes });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`Invalid entry for ${where}: found ${describeJson(value)}; expected an object with dtype, shape and data_offsets.`);
  }
  const { dtype: code, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof code !== 'string') throw fail(`Invalid entry for ${where}: dtype is ${describeJson(code)}; expected a string such as "F32".`);
  const dtype = safetensorsDtypes[code];
  if (dtype === undefined) {
    throw fail(`Unsupported dtype '${code}' for ${where}; expected one of ${Object.keys(safetensorsDtypes).join(', ')}.`);
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw fail(`Invalid shape ${JSON.stringify(shape) ?? 'undefined'} for ${where}; expected a list of non-negative integers.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize) || offsets[0] > offsets[1]) {
    throw fail(`Invalid data_offsets ${JSON.stringify(offsets) ?? 'undefined'} for ${where}; expected [begin, end] with 0 <= begin <= end.`);
  }
  const [begin, end] = offsets as number[];
  let count = 1n;
  for (const dim of shape as number[]) count *= BigInt(dim);
  const needed = count * BigInt(dtypeBytes[dtype]);
  if (needed !== BigInt(end - begin)) {
    throw fail(`Tensor '${name}' in ${file} has data_offsets [${begin}, ${end}] (${end - begin} bytes); its shape ${formatShape(shape as number[])} of ${code} needs ${needed}.`);
  }
  return { info: { name, dtype, shape: shape as number[], count: Number(count), byteSize: end - begin }, begin, end };
}

function isSize(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Tensors must tile the data area: in offset order each starts where the previous ended, and the last ends at the file's end. */
function checkLayout(entries: readonly Entry[], dataBytes: number, file: string, dataStart: number): void {
  const last = entries.reduce<Entry | undefined>((far, e) => (far === undefined || e.end > far.end ? e : far), undefined);
  if (last && last.end > dataBytes) {
    throw new TensorFormatError(
      `${file} is truncated: tensor '${last.info.name}' needs bytes ${last.begin}..${last.end} of the data, which holds ${dataBytes}.`,
      { entry: last.info.name, offset: dataStart + dataBytes },
    );
  }
  let reached = 0;
  let previous: Entry | undefined;
  for (const e of entries) {
    if (e.begin < reached) {
      throw new TensorFormatError(
        `Tensors '${previous!.info.name}' and '${e.info.name}' in ${file} overlap: bytes ${previous!.begin}..${previous!.end} and ${e.begin}..${e.end} of the data.`,
        { entry: e.info.name, offset: dataStart + e.begin },
      );
    }
    if (e.begin > reached) {
      const after = previous ? `after tensor '${previous.info.name}'` : 'before the first tensor';
      throw new TensorFormatError(
        `${file} has ${e.begin - reached} unused bytes (${reached}..${e.begin} of the data) ${after}; the format allows no holes.`,
        { offset: dataStart + reached },
      );
    }
    reached = e.end;
    previous = e;
  }
  if (reached < dataBytes) {
    throw new TensorFormatError(`${file} has ${dataBytes - reached} bytes after the last tensor's data; the format allows no holes.`, {
      offset: dataStart + reached,
    });
  }
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value === 'boolean' ? 'boolean' : typeof value}`;
}
