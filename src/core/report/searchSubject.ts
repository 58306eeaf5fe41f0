import { UsageError } from '../errors';
import type { TensorFile, WorkControl } from '../formats/tensorFile';
import { Float32StreamPreparer, type BucketMemory, type SortMemory, type StreamedValues } from '../quant/float32Stream';
import { prepareSubject, type SearchSubject } from './buildReports';

/** What a host can add to a streamed preparation. */
export interface SearchSubjectOptions {
  /**
   * Memory for the sorted copy of a streamed tensor of `count` elements (4 bytes each), asked for before
   * the first pass, for searches that sort (searchSorts): a host that can have its pages faulted in
   * meanwhile, and the sort shared, by another thread saves the sort that time. Undefined: the values
   * stay in their radix buckets, 2 bytes each, and anything a search needs beyond them is made then.
   */
  readonly sortMemory?: (count: number) => SortMemory | undefined;
  /**
   * Without sort memory: shared memory for the radix buckets (2 bytes an element) and a thread that takes
   * part in the searches' passes over them. Undefined: the buckets are this thread's alone.
   */
  readonly bucketMemory?: (count: number) => BucketMemory | undefined;
}

/**
 * Prepares one tensor of a file for searches. A tensor the file can stream as float32 (see
 * TensorFile.readFloat32Chunks) is read twice in small chunks and only its radix buckets are kept (see
 * Float32StreamPreparer): a search needs nothing in element order. Any other tensor is read whole,
 * as for every other report. Progress runs once across the passes.
 */
export async function prepareSearchSubject(file: TensorFile, name: string, control: WorkControl = {}, options: SearchSubjectOptions = {}): Promise<SearchSubject> {
  return (await prepareStreamedSubject(file, name, control, options)) ?? prepareSubject(await file.read(name, control));
}

/** As prepareSearchSubject for a tensor the file can stream as float32; undefined, having read nothing, for any other. */
export async function prepareStreamedSubject(file: TensorFile, name: string, control: WorkControl = {}, options: SearchSubjectOptions = {}): Promise<SearchSubject | undefined> {
  const info = file.tensors.find((t) => t.name === name);
  if (!info) throw new UsageError(`No tensor '${name}' in this ${file.format} file.`);
  const part = (from: number): WorkControl => ({
    signal: control.signal,
    onProgress: control.onProgress && ((f: number) => control.onProgress?.(from + f / 2)),
  });
  const first = file.readFloat32Chunks?.(name, part(0));
  if (!first) return undefined;
  const sortMemory = options.sortMemory?.(info.count);
  const preparer = new Float32StreamPreparer(name, sortMemory, sortMemory ? undefined : options.bucketMemory?.(info.count));
  let streamed: StreamedValues;
  try {
    for await (const chunk of first) preparer.first(chunk.bits);
    preparer.beginSecondPass();
    const second = file.readFloat32Chunks?.(name, part(0.5)) ?? first;
    for await (const chunk of second) preparer.second(chunk.bits);
    streamed = preparer.finish(control);
  } finally {
    preparer.release();
  }
  const { prepared } = streamed;
  return {
    tensor: { warnings: [...first.warnings] },
    prepared,
    // Read when the report is written: the streamed statistics are summed by the search itself when it can.
    summary: {
      name: info.name, dtype: info.dtype, shape: info.shape, count: info.count, nonFiniteCount: prepared.nonFiniteCount,
      get stats() {
        return streamed.stats;
      },
    },
  };
}
