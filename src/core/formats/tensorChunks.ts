import { readExact, readExactInto, type ByteSource } from '../byteSource';
import { dtypeBytes, type DType } from '../dtype';
import { CancelledError, TensorFormatError } from '../errors';
import { decodeElementsInto, isHostLittleEndian } from './decodeElements';
import type { Float32Chunk, Float32Chunks, ReadLimits, TensorChunk, TensorChunks, WorkControl } from './tensorFile';

/** Bytes read from the source at a time: progress moves, cancelling is prompt, and a chunk stays small. */
export const chunkReadBytes = 8 * 1024 * 1024;

/** Where one tensor's raw elements lie in a byte source. */
export interface ElementRange {
  readonly source: ByteSource;
  /** The tensor's name, for messages. */
  readonly name: string;
  readonly dtype: DType;
  readonly isLittleEndian: boolean;
  readonly dataOffset: number;
  readonly count: number;
}

/** A size as people read it: '800 MiB', '1 GiB', '512 bytes'. */
export function formatByteSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/** How the person who hit a limit can raise it, in the CLI and in the extension. */
export const raiseLimitHint = 'raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting';

/** Refuses a whole read whose float64 values would exceed `maxTensorBytes`, saying how to raise it. */
export function checkTensorFits(name: string, fileName: string, count: number, limits: ReadLimits): void {
  const valueBytes = count * Float64Array.BYTES_PER_ELEMENT;
  if (valueBytes > limits.maxTensorBytes) {
    throw new TensorFormatError(
      `Tensor '${name}' in ${fileName} is too large: ${count} elements take ${formatByteSize(valueBytes)} as float64, above the limit of ${formatByteSize(limits.maxTensorBytes)}; ${raiseLimitHint}.`,
      { entry: name },
    );
  }
}

/** The warning for int64/uint64 elements beyond 2^53, worded as the .npy reader words it. */
export function roundedValuesWarning(inexactCount: number, dtype: DType, name: string): string {
  const one = inexactCount === 1;
  return `${inexactCount} ${dtype} value${one ? '' : 's'} of '${name}' ${one ? 'lies' : 'lie'} beyond 2^53 and ${one ? 'was' : 'were'} rounded to the nearest float64.`;
}

/** Reads a whole tensor's elements, chunk by chunk, into one Float64Array. */
export async function readElements(range: ElementRange, control: WorkControl = {}): Promise<{ values: Float64Array; warnings: string[] }> {
  const values = new Float64Array(range.count);
  const chunks = streamElements(range, control, values);
  for await (const chunk of chunks) void chunk;
  return { values, warnings: [...chunks.warnings] };
}

/**
 * Streams a tensor's elements from its byte range. Each chunk is decoded into one reused buffer,
 * or into `whole` when given (then the chunks are views of it).
 */
export function streamElements(range: ElementRange, control: WorkControl = {}, whole?: Float64Array): TensorChunks {
  const itemBytes = dtypeBytes[range.dtype];
  const chunkElements = Math.max(1, Math.floor(chunkReadBytes / itemBytes));
  const warnings: string[] = [];
  async function* pass(): AsyncGenerator<TensorChunk> {
    warnings.length = 0;
    const buffer = whole ?? new Float64Array(Math.min(chunkElements, range.count));
    let inexactCount = 0;
    for (let start = 0; start < range.count; start += chunkElements) {
      if (control.signal?.aborted) throw new CancelledError();
      const count = Math.min(chunkElements, range.count - start);
      const at = whole ? start : 0;
      inexactCount += await readElementsInto(range, start, count, buffer, at);
      control.onProgress?.((start + count) / range.count);
      yield { start, values: buffer.subarray(at, at + count) };
    }
    if (inexactCount > 0) warnings.push(roundedValuesWarning(inexactCount, range.dtype, range.name));
  }
  return { warnings, [Symbol.asyncIterator]: pass };
}

/**
 * Reads elements start..start + count of the range into `out` from `at`, as float64; the count of values
 * rounded (int64 beyond 2^53). float64 in the host's byte order, numpy's default, is read straight into
 * `out`'s bytes: neither a buffer of fresh memory for the bytes nor a copy (a 10^7-element float64 .npy:
 * 80 MB of each, where a fresh page costs ~12 µs here).
 */
async function readElementsInto(range: ElementRange, start: number, count: number, out: Float64Array, at: number): Promise<number> {
  const itemBytes = dtypeBytes[range.dtype];
  const offset = range.dataOffset + start * itemBytes;
  const what = `the data of '${range.name}'`;
  if (range.dtype === 'float64' && range.isLittleEndian === isHostLittleEndian) {
    await readExactInto(range.source, offset, new Uint8Array(out.buffer, out.byteOffset + at * itemBytes, count * itemBytes), what);
    return 0;
  }
  const bytes = await readExact(range.source, offset, count * itemBytes, what);
  return decodeElementsInto(bytes, range.dtype, range.isLittleEndian, out, at);
}

/** Chunks whose source is made when a pass starts, so that a refusal surfaces from the iteration, like a read's. */
export function deferredChunks(make: () => TensorChunks): TensorChunks {
  let inner: TensorChunks | undefined;
  return {
    get warnings() {
      return inner?.warnings ?? [];
    },
    [Symbol.asyncIterator]() {
      inner = make();
      return inner[Symbol.asyncIterator]();
    },
  };
}

/** Dtypes every value of which is a float32 exactly. */
const float32Dtypes: ReadonlySet<DType> = new Set<DType>(['bool', 'int8', 'uint8', 'int16', 'uint16', 'float16', 'bfloat16', 'float32', 'float8_e4m3fn', 'float8_e5m2']);

/** True when every value of the dtype converts to float32 exactly. */
export function isFloat32Dtype(dtype: DType): boolean {
  return float32Dtypes.has(dtype);
}

/** Bytes of float32 values per chunk of a float32 pass: few reads, and a chunk still fits in cache. */
export const float32ChunkBytes = 1 << 20;
/** The first chunk of a float32 pass is 2^-6 of a full one; each next is twice the last. */
const firstChunkShift = 6;

/**
 * Streams a tensor's elements as float32 bits (see TensorFile.readFloat32Chunks), or undefined when its
 * dtype has values that are not float32. Little-endian float32 data is read straight into the chunk;
 * other dtypes are decoded exactly through float64. The buffers are made once and reused by every pass.
 */
export function streamFloat32(range: ElementRange, control: WorkControl = {}, warnings: readonly string[] = []): Float32Chunks | undefined {
  if (!isFloat32Dtype(range.dtype)) return undefined;
  const itemBytes = dtypeBytes[range.dtype];
  const chunkElements = Math.max(1, Math.min(range.count, float32ChunkBytes / Float32Array.BYTES_PER_ELEMENT));
  const direct = range.dtype === 'float32' && range.isLittleEndian === isHostLittleEndian;
  let buffers: { values: Float32Array; bits: Int32Array; raw: Uint8Array; wide?: Float64Array } | undefined;
  async function* pass(): AsyncGenerator<Float32Chunk> {
    if (!buffers) {
      const values = new Float32Array(chunkElements);
      buffers = {
        values,
        bits: new Int32Array(values.buffer),
        raw: direct ? new Uint8Array(values.buffer) : new Uint8Array(chunkElements * itemBytes),
        wide: direct ? undefined : new Float64Array(chunkElements),
      };
    }
    const { values, bits, raw, wide } = buffers;
    // Chunks start small and double: whatever consumes them runs in V8's interpreter until its loops are
    // compiled, boxing every intermediate number (measured: hundreds of scavenges over the first full
    // chunks of a 10^7-element pass); small first chunks keep that stretch short.
    let size = Math.max(1, chunkElements >> firstChunkShift);
    for (let start = 0; start < range.count; start += size, size = Math.min(chunkElements, size * 2)) {
      if (control.signal?.aborted) throw new CancelledError();
      const count = Math.min(size, range.count - start);
      const bytes = raw.subarray(0, count * itemBytes);
      await readExactInto(range.source, range.dataOffset + start * itemBytes, bytes, `the data of '${range.name}'`);
      if (wide) {
        decodeElementsInto(bytes, range.dtype, range.isLittleEndian, wide, 0);
        values.set(wide.subarray(0, count));
      }
      control.onProgress?.((start + count) / range.count);
      yield { start, bits: bits.subarray(0, count) };
    }
  }
  return { warnings, [Symbol.asyncIterator]: pass };
}
