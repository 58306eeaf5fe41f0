import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import type { BucketedValues } from './bucketedValues';
import { clearPieceTable, createPieceTable, PieceSummer, prefixSums, type ChunkClaims, type PieceSums, type PieceTable } from './pieceSums';
import { bucketChunks } from './radixSort';
import { takeOverMs, waitSliceMs } from './helperWaits';

/** Values per chunk of buckets: the unit of work, of progress and of looks at the abort signal. */
const chunkValues = 1 << 18;
/** Below this many values a second thread costs more than it saves (the job alone is a table of every piece). */
const minShared = 1 << 20;

/** Int32 slots of a job's control: the next chunk to claim, the chunks the helper has summed, quit, and the helper has stopped. */
const cursorAt = 0;
const helperDoneAt = 1;
const quitAt = 2;
const helperStoppedAt = 3;
const controlSlots = 4;
/** Calls that claim nothing before the pass (see pieceSums): V8 keeps feedback after ~8 bytecode lengths of budget. */
const primingCalls = 100;

/**
 * One pass over the buckets for two threads: each claims the next chunk of buckets from a shared cursor
 * and adds it to a table of its own, so neither waits while work is left, and a helper that is slow, or
 * never starts, only leaves more to the other. The values and the helper's table are shared memory, so
 * posting the job to a worker copies only the small arrays.
 */
export interface SharedPiecesJob {
  /** BucketedValues.low, in shared memory. */
  readonly low: Uint16Array;
  readonly starts: Int32Array;
  readonly thresholds: Int32Array;
  /** Chunk k is buckets chunks[k] to chunks[k + 1] (bucketChunks). */
  readonly chunks: Int32Array;
  /** Shared Int32 slots (cursorAt, helperDoneAt, quitAt, helperStoppedAt). */
  readonly control: Int32Array;
  /** The helper's sums, in shared memory. */
  readonly table: PieceTable;
}

/** A thread that sums claimed chunks of a SharedPiecesJob (sumClaimedPieces) once it is posted. */
export interface PiecesHelper {
  sumPieces(job: SharedPiecesJob): void;
}

/** The helper's side: claims chunks and sums them into the job's table until none is left or it is told to quit. */
export function sumClaimedPieces(job: SharedPiecesJob): void {
  try {
    clearPieceTable(job.table);
    new PieceSummer(job.low, job.starts, job.thresholds, job.table).sumChunks(job.chunks, new Claims(job.chunks.length - 1, job.control, 'helper'));
  } finally {
    Atomics.store(job.control, helperStoppedAt, 1);
    Atomics.notify(job.control, helperDoneAt);
  }
}

/** Chunks the helper has summed for a job so far (for tests and benchmarks). */
export function helperPieceChunks(job: SharedPiecesJob): number {
  return Atomics.load(job.control, helperDoneAt);
}

/**
 * The sums of every piece of `values` between `thresholds` (sorted, distinct keys): on this thread, and
 * beside the helper thread the host gave the values (BucketedValues.helper) when there are enough of them.
 * The figures do not depend on who summed which chunk beyond the last bits (each chunk's shares are exact;
 * see bucketedMeasure's bound, which allows the one addition that joins the two tables). `whileHelped`
 * runs on this thread once the helper has the job, before this thread claims any chunk.
 */
export function pieceSums(values: BucketedValues, thresholds: Int32Array, control: WorkControl = {}, whileHelped?: () => void): PieceSums {
  const { low, starts, n } = values;
  const chunks = bucketChunks(starts, chunkValues);
  const count = chunks.length - 1;
  const table = createPieceTable(thresholds.length + 1);
  const helper = values.helper;
  const job = helper && n >= minShared && count > 1 && low.buffer instanceof SharedArrayBuffer ? createPiecesJob(values, thresholds, chunks) : undefined;
  const summer = new PieceSummer(low, starts, thresholds, table);
  const claims = new Claims(count, job?.control, 'main', control);
  // Calls that claim no chunk, with claims of the same shape: V8 keeps a function's type feedback only
  // once it has run a while, so a first call that is the whole pass reached the loop's compile with no
  // feedback for the claims asked before it, and the compiled code was thrown away at the next chunk
  // (deoptimised, then compiled a second time: 8 + 17 ms here).
  const idle = new Claims(0, job ? new Int32Array(controlSlots) : undefined, 'main', control);
  for (let i = 0; i < primingCalls; i++) summer.sumChunks(chunks, idle);
  if (!job) {
    summer.sumChunks(chunks, claims);
    return prefixSums(table, thresholds.length);
  }
  helper?.sumPieces(job);
  let helped = true;
  try {
    // Work of this thread's own first, while the helper claims chunks; then whatever chunks are left.
    whileHelped?.();
    summer.sumChunks(chunks, claims);
    helped = awaitHelper(job, count - claims.summed, control, () => claims.report());
    if (!helped) {
      claims.takeOver();
      summer.sumChunks(chunks, claims);
    }
  } finally {
    Atomics.store(job.control, quitAt, 1);
  }
  // A helper that summed a chunk cleared its table first; one that never took the job left it all zeros.
  return prefixSums(table, thresholds.length, helped && helperPieceChunks(job) > 0 ? job.table : undefined);
}

/**
 * Chunks for one thread to claim: from the job's shared cursor, or from a count of its own when it works
 * alone; once the main thread takes over from a helper that failed, the chunks it did not sum itself.
 */
class Claims implements ChunkClaims {
  /** Chunks this thread has summed. */
  summed = 0;
  private nextOwn = 0;
  /** The chunks this thread claimed (the main thread's, for a take-over). */
  private readonly mine: Uint8Array;
  private takingOver = false;
  private reported = 0;

  constructor(private readonly count: number, private readonly slots: Int32Array | undefined, private readonly role: 'main' | 'helper', private readonly control: WorkControl = {}) {
    this.mine = new Uint8Array(role === 'main' ? count : 0);
  }

  /** See ChunkClaims; the main thread's claims throw CancelledError once its signal is aborted. */
  next(summed: number): number {
    if (summed >= 0) this.done();
    const slots = this.slots;
    if (this.role === 'helper') {
      if (!slots || Atomics.load(slots, quitAt) === 1) return -1;
      const k = Atomics.add(slots, cursorAt, 1);
      return k < this.count ? k : -1;
    }
    if (this.control.signal?.aborted) throw new CancelledError();
    if (this.takingOver) {
      while (this.nextOwn < this.count && this.mine[this.nextOwn] === 1) this.nextOwn++;
      return this.nextOwn < this.count ? this.nextOwn++ : -1;
    }
    const k = slots ? Atomics.add(slots, cursorAt, 1) : this.nextOwn++;
    if (k >= this.count) return -1;
    this.mine[k] = 1;
    return k;
  }

  private done(): void {
    if (this.role === 'helper') {
      const slots = this.slots as Int32Array;
      Atomics.add(slots, helperDoneAt, 1);
      Atomics.notify(slots, helperDoneAt);
      return;
    }
    this.summed++;
    this.report();
  }

  /** Reports the chunks summed by both threads (never less than before: a take-over sums the helper's chunks again). */
  report(): void {
    const helped = this.slots && !this.takingOver ? Atomics.load(this.slots, helperDoneAt) : 0;
    // Counted in chunks, a small integer: a field that turned from 0 to a fraction would change the
    // object's shape, and V8 would throw away the pass's compiled code at the next claim ("wrong map").
    this.reported = Math.max(this.reported, Math.min(this.count, this.summed + helped));
    this.control.onProgress?.(this.reported / this.count);
  }

  /** From now on, claims the chunks this thread has not summed (the helper's, which it failed to finish). */
  takeOver(): void {
    this.takingOver = true;
    this.nextOwn = 0;
  }
}

/** A job over the values' buckets, with a shared table for the helper (which clears it). */
export function createPiecesJob(values: BucketedValues, thresholds: Int32Array, chunks: Int32Array): SharedPiecesJob {
  return {
    low: values.low, starts: values.starts, thresholds, chunks,
    control: new Int32Array(new SharedArrayBuffer(controlSlots * Int32Array.BYTES_PER_ELEMENT)),
    table: createPieceTable(thresholds.length + 1, true),
  };
}

/**
 * Waits until the helper has summed the `claimed` chunks it took: true then; false when it stopped short
 * or went quiet for takeOverMs (its table is then not used, and its chunks are summed here).
 */
function awaitHelper(job: SharedPiecesJob, claimed: number, control: WorkControl, report: () => void): boolean {
  const slots = job.control;
  let seen = Atomics.load(slots, helperDoneAt);
  let since = Date.now();
  while (seen < claimed) {
    if (control.signal?.aborted) throw new CancelledError();
    if (Atomics.load(slots, helperStoppedAt) === 1 && Atomics.load(slots, helperDoneAt) < claimed) return false;
    Atomics.wait(slots, helperDoneAt, seen, waitSliceMs);
    const now = Atomics.load(slots, helperDoneAt);
    if (now !== seen) {
      seen = now;
      since = Date.now();
      report();
    } else if (Date.now() - since > takeOverMs) {
      return false;
    }
  }
  return true;
}
