import { stat } from 'node:fs/promises';
import { memoryByteSource, type ByteSource } from '../../core/byteSource';
import { CancelledError, UsageError } from '../../core/errors';
import { openTensorFile } from '../../core/formats/openTensorFile';
import type { ReadLimits, TensorFile, WorkControl } from '../../core/formats/tensorFile';
import { prepareSubject, type ReportSubject } from '../../core/report/buildReports';
import type { SearchReport } from '../../core/report/reportTypes';
import { openFileByteSource } from '../../host/fileByteSource';
import type { ListResult, WorkerFileRef } from '../../protocol/worker';

/** Prepared tensors kept between requests: a panel's recomputes share one read and one sort. */
export const maxCachedSubjects = 2;

interface CachedSubject {
  readonly key: string;
  readonly subject: Promise<ReportSubject>;
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

  /** The tensor prepared for reports, read at most once while its file is unchanged. */
  async subject(file: WorkerFileRef, tensor: string, limits: ReadLimits, control: WorkControl = {}): Promise<ReportSubject> {
    return (await this.entry(file, tensor, limits, control)).subject;
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
      return prepareSubject(await opened.read(tensor, control));
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
