import type { ByteSource } from '../byteSource';
import { UsageError } from '../errors';
import type { Tensor, TensorInfo } from '../tensor';
import { readNpyHeader, type NpyHeader } from './npyHeader';
import { checkTensorFits, readElements, streamFloat32 } from './tensorChunks';
import { defaultMaxTensorBytes, type Float32Chunks, type ReadLimits, type TensorFile, type WorkControl } from './tensorFile';

export { isNpy } from './npyHeader';

/** Opens an .npy file from its header alone; the one tensor is named after the file unless `tensorName` is given. */
export async function openNpy(
  source: ByteSource,
  limits: ReadLimits = { maxTensorBytes: defaultMaxTensorBytes },
  tensorName: string = npyTensorName(source.name),
): Promise<TensorFile> {
  const header = await readNpyHeader(source);
  const info: TensorInfo = { name: tensorName, dtype: header.dtype, shape: header.shape, count: header.count, byteSize: header.dataBytes };
  return {
    format: 'npy',
    tensors: [info],
    read: async (name, control) => {
      if (name !== tensorName) throw new UsageError(`No tensor '${name}' in ${source.name}; it holds '${tensorName}'.`);
      return readNpyData(source, header, info, limits, control);
    },
    readFloat32Chunks: (name, control): Float32Chunks | undefined => {
      if (name !== tensorName) throw new UsageError(`No tensor '${name}' in ${source.name}; it holds '${tensorName}'.`);
      // Fortran order would need the whole tensor to put elements in C order.
      if (header.isFortranOrder && header.shape.filter((d) => d > 1).length > 1) return undefined;
      checkTensorFits(info.name, source.name, header.count, limits);
      const range = { source, name: info.name, dtype: header.dtype, isLittleEndian: header.isLittleEndian, dataOffset: header.dataOffset, count: header.count };
      return streamFloat32(range, control, trailingBytesWarnings(source, header, info));
    },
  };
}

/** The tensor name for an .npy file: its base name without the extension ('weights.npy' → 'weights'). */
export function npyTensorName(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** What numpy ignores and the user should hear about: bytes after the data. */
function trailingBytesWarnings(source: ByteSource, header: NpyHeader, info: TensorInfo): string[] {
  const trailingBytes = source.size - header.dataOffset - header.dataBytes;
  if (trailingBytes <= 0) return [];
  return [`${source.name} has ${trailingBytes} byte${trailingBytes === 1 ? '' : 's'} after the data of '${info.name}'; they were ignored, as numpy ignores them.`];
}

async function readNpyData(source: ByteSource, header: NpyHeader, info: TensorInfo, limits: ReadLimits, control: WorkControl = {}): Promise<Tensor> {
  checkTensorFits(info.name, source.name, header.count, limits);
  const range = { source, name: info.name, dtype: header.dtype, isLittleEndian: header.isLittleEndian, dataOffset: header.dataOffset, count: header.count };
  const { values: stored, warnings } = await readElements(range, control);
  const values = header.isFortranOrder ? fortranToC(stored, header.shape) : stored;
  warnings.push(...trailingBytesWarnings(source, header, info));
  return { ...info, values, warnings };
}

/** Reorders column-major values into row-major order for the same shape (numpy's `reshape(shape[::-1]).T`). */
function fortranToC(stored: Float64Array, shape: readonly number[]): Float64Array {
  const rank = shape.length;
  if (rank < 2 || stored.length === 0) return stored;
  const strides: number[] = [];
  let stride = 1;
  for (const dim of shape) {
    strides.push(stride);
    stride *= dim;
  }
  const values = new Float64Array(stored.length);
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  let base = 0;
  let c = 0;
  while (c < values.length) {
    for (let i = 0, f = base; i < inner; i++, f += innerStride) values[c++] = stored[f];
    for (let axis = rank - 2; axis >= 0; axis--) {
      base += strides[axis];
      if (++index[axis] < shape[axis]) break;
      base -= strides[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return values;
}
