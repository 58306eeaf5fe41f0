import { stat } from 'node:fs/promises';
import { memoryByteSource, type ByteSource } from '../../core/byteSource';
import { CancelledError, UsageError } from '../../core/errors';
import { openTensorFile } from '../../core/formats/openTensorFile';
import type { ReadLimits, TensorFile, WorkControl } from '../../core/formats/tensorFile';
import type { SearchSubject } from '../../core/report/buildReports';
import { prepareSearchSubject } from '../../core/report/searchSubject';
import type { SearchReport } from '../../core/report/reportTypes';
import type { Tensor } from '../../core/tensor';
import { openFileByteSource } from '../../host/fileByteSource';
import { helpedSubjectOptions, SearchHelperPool } from '../../host/searchHelper';
import type { ListResult, WorkerFileRef } from '../../protocol/worker';

/** True when a subject's tensor holds its elements (one read whole), not only a streamed read's warnings. */
function isWholeTensor(tensor: SearchSubject['tensor']): tensor is Tensor {
  return 'values' in tensor;
}

/** Prepared tensors kept between requests: a panel's recomputes share one read and one sort. */
export const maxCachedSubjects = 2;

interface CachedSubject {
  readonly key: string;
  readonly subject: Promise<SearchSubject>;
  /** Grid searches on this tensor, by bits, grid and objective. */
  readonly searches: Map<string, SearchReport>;
}

/**
 * Opens files and reads tensors for the worker's jobs, remembering the last few prepared tensors.
 * A file on disk is keyed by path, size and modification time, so an edited file is read again.
 */
export class TensorCache {
  private readonly subjects: CachedSubject[] = [];

  /** The file's listing. */
  async list(file: WorkerFileRef, limits: ReadLimits): Promise<ListResult> {
    return this.withFile(file, limits, async (opened) => ({ format: opened.format, tensors: opened.tensors }));
  }

  /**
   * The tensor prepared for reports, read at most once while its file is unchanged. A tensor the file can
   * stream as float32 is read twice in chunks and kept in its radix buckets (prepareSearchSubject): 2
   * bytes a value rather than a float64 copy in element order, which took most of a 10^7-element tensor's
   * first search here (reading it whole into float64: 430-640 ms). Reports and searches need no element
   * order; the codes' export reads the tensor again (`elements`).
   */
  async subject(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl = {}): Promise<SearchSubject> {
    return (await this.entry(file, tensor, limits, control)).subject;
  }

  /** The tensor's elements in order: the cached subject's when it holds them, else read now (and not kept). */
  async elements(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl = {}): Promise<Tensor> {
    const subject = await this.subject(file, tensor, limits, control);
    if (isWholeTensor(subject.tensor)) return subject.tensor;
    return this.withFile(file, limits, async (opened) => opened.read(tensor, control));
  }

  /** Like `subject`, but a shared read cancelled by another request is started again for this one. */
  private async entry(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl): Promise<CachedSubject> {
    try {
      return await this.sharedEntry(file, tensor, limits, control);
    } catch (err) {
      if (!(err instanceof CancelledError) || control.signal?.aborted) throw err;
      return this.sharedEntry(file, tensor, limits, control);
    }
  }

  /** The searches already run on a tensor (kept with its prepared values). */
  async searches(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl = {}): Promise<Map<string, SearchReport>> {
    return (await this.entry(file, tensor, limits, control)).searches;
  }

  /** Forgets everything. */
  clear(): void {
    this.subjects.length = 0;
  }

  private async sharedEntry(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl): Promise<CachedSubject> {
    const key = `${await fileVersion(file)}\0${tensor}\0${limits.maxTensorBytes}`;
    const index = this.subjects.findIndex((s) => s.key === key);
    if (index >= 0) {
      const [hit] = this.subjects.splice(index, 1);
      this.subjects.unshift(hit);
      return hit;
    }
    const subject = this.withFile(file, limits, async (opened, fileName) => {
      if (!opened.tensors.some((t) => t.name === tensor)) {
        const names = opened.tensors.map((t) => `'${t.name}'`);
        throw new UsageError(`${fileName} has no tensor '${tensor}'; it has ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}.`);
      }
      return prepareWithHelper(opened, tensor, control);
    });
    const entry: CachedSubject = { key, subject, searches: new Map() };
    this.subjects.unshift(entry);
    this.subjects.length = Math.min(this.subjects.length, maxCachedSubjects);
    // A failed or cancelled read is not remembered.
    subject.catch(() => {
      const i = this.subjects.indexOf(entry);
      if (i >= 0) this.subjects.splice(i, 1);
    });
    await subject;
    return entry;
  }

  private async withFile<T>(
    file: WorkerFileRef,
    limits: ReadLimits,
    use: (opened: TensorFile, fileName: string) => Promise<T>,
  ): Promise<T> {
    const source: ByteSource & { close?: () => Promise<void> } =
      file.kind === 'path' ? await openFileByteSource(file.path) : memoryByteSource(file.bytes, file.name);
    try {
      const opened = await openTensorFile(source, limits);
      return await use(opened, source.name);
    } finally {
      await source.close?.();
    }
  }
}

/** A key that changes whenever the file's content may have. */
async function fileVersion(file: WorkerFileRef): Promise<string> {
  if (file.kind === 'bytes') return `bytes\0${file.name}\0${file.version}`;
  const s = await stat(file.path);
  return `path\0${file.path}\0${s.size}\0${s.mtimeMs}`;
}

/** The helper thread the worker keeps from one tensor's preparation to the next (see SearchHelperPool). */
const helpers = new SearchHelperPool();

/**
 * Prepares a tensor the way a sorting search does (the reports need the sort): for a float32 tensor large
 * enough to share, a helper thread takes half of the scatter pass and of the sort, and is given back once
 * the tensor is prepared (10^7 values: the first report 0.54 -> 0.42 s, the first search 0.6-0.8 -> 0.5 s).
 */
async function prepareWithHelper(opened: TensorFile, tensor: string, control: WorkControl): Promise<SearchSubject> {
  const info = opened.tensors.find((t) => t.name === tensor);
  const helper = info && helpers.helperFor(info, { sorts: true });
  try {
    return await prepareSearchSubject(opened, tensor, control, helpedSubjectOptions(helper, true));
  } finally {
    helper?.close();
  }
}
