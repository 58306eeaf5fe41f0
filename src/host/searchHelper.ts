import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isFloat32Dtype } from '../core/formats/tensorChunks';
import type { BucketMemory, SortMemory } from '../core/quant/float32Stream';
import type { SearchSubjectOptions } from '../core/report/searchSubject';
import type { SharedSortJob } from '../core/search/radixSort';
import type { TensorInfo } from '../core/tensor';
import type { SharedMeasureJob } from '../core/search/sharedMeasure';
import type { SharedPassJob } from '../core/search/sharedPasses';
import type { SharedPiecesJob } from '../core/search/sharedPieces';

/** What the main thread posts to the helper thread. */
export type HelperJob =
  // warmPieces: then compile the pass over the buckets (warmPieceSums), once a thread.
  | { readonly kind: 'passes'; readonly job: SharedPassJob; readonly warmPieces: boolean }
  | { readonly kind: 'sort'; readonly job: SharedSortJob }
  | { readonly kind: 'measure'; readonly job: SharedMeasureJob }
  | { readonly kind: 'pieces'; readonly job: SharedPiecesJob };

/** What the helper thread is started for: searches that sort (it warms the sort and the evaluator first), or passes over buckets. */
export interface HelperStart {
  readonly sorts: boolean;
}

/** Sort memory with a helper thread, and when the thread is up (for tests: work offered before is done by the main thread). */
export interface HelpedSortMemory extends SortMemory {
  readonly ready: Promise<void>;
}

/** Bucket memory with a helper thread, and when the thread is up. */
export interface HelpedBucketMemory extends BucketMemory {
  readonly ready: Promise<void>;
}

/** Below this many bytes of sorted copy (float32 values) a thread costs more than it saves. */
export const minHelpedBytes = 4 * 1024 * 1024;

/**
 * The helper's script: the bundle beside this one (dist/searchHelper.js), or, when this module runs from
 * source (the unit tests, through tsx), the source entry with the same loader.
 */
function helperScript(): { path: string; execArgv?: string[] } {
  if (__filename.endsWith('.ts')) return { path: join(__dirname, 'searchHelperMain.ts'), execArgv: ['--require', 'tsx/cjs'] };
  return { path: join(__dirname, 'searchHelper.js') };
}

/** A helper thread started ahead of the work it will share (see startSearchHelper). */
export interface SearchHelper {
  /** Memory for a tensor's sorted copy of `count` values with this thread's help; undefined below the size where it pays. */
  sortMemory(count: number): HelpedSortMemory | undefined;
  /** Memory for a tensor's radix buckets of `count` values, whose passes this thread shares; undefined below the size where it pays. */
  bucketMemory(count: number): HelpedBucketMemory | undefined;
  /** Ends the thread (it never keeps the process alive anyway). */
  close(): void;
}

/**
 * Starts a helper thread for a search that is about to read a tensor: it works beside the main thread,
 * scattering the helper part of the scatter pass (every other chunk) and faulting the copy's pages in
 * whenever it waits (SharedPasses). Then, for a search that sorts (`start.sorts`), it sorts chunks of the
 * buckets beside the main thread (Float32RadixSorter.finish) and measures ranges beside it in every
 * search (sharedMeasure); for a grid over the buckets, it compiles the pass over them on a small tensor
 * and claims chunks of that pass beside the main thread (sharedPieces). A thread takes 55-70 ms to start
 * here, so the CLI starts it before it even opens the file.
 *
 * Fresh memory is costly on the virtual machines measured here, 2-3 ms per MB whatever the page size (the
 * host faults it in): for a 10^7-element tensor's 40 MB sorted copy, about 100 ms. On one core no thread
 * is started and the main thread works alone, as it does for small tensors. On a busy machine the thread still starts: the load average cannot tell (it lags a minute, and counts the
 * previous searches), and a thread that gets little time costs little, since the main thread claims
 * whatever work it has not taken. The thread is unreferenced: it never keeps the process alive, and it
 * ends with it.
 */
export function startSearchHelper(start: HelperStart = { sorts: true }): SearchHelper | undefined {
  const thread = startHelperThread(start);
  return thread && helperOn(thread, () => thread.terminate());
}

/** A running helper thread: its readiness, its job queue, its end. */
interface HelperThread {
  readonly ready: Promise<void>;
  post(job: HelperJob): void;
  terminate(): void;
  /** False once the thread has failed or ended. */
  readonly alive: boolean;
}

function startHelperThread(start: HelperStart): HelperThread | undefined {
  if (availableParallelism() < 2) return undefined;
  const script = helperScript();
  if (!existsSync(script.path)) return undefined;
  let worker: import('node:worker_threads').Worker;
  try {
    // Loaded here, not at start-up: worker_threads costs every CLI run 10-20 ms to load.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    // Its stdout and stderr left unread: by default the parent pipes them into its own, and creating
    // process.stdout on a pipe loads Node's network modules (2-3 ms of the main thread here). The helper
    // prints nothing; its failures come as 'error' events.
    worker = new Worker(script.path, { execArgv: script.execArgv, workerData: start, stdout: true, stderr: true });
  } catch {
    return undefined;
  }
  let alive = true;
  worker.on('error', () => (alive = false));
  worker.on('exit', () => (alive = false));
  worker.unref();
  return {
    ready: new Promise<void>((resolve) => worker.once('message', () => resolve())),
    post: (job) => worker.postMessage(job),
    terminate: () => void worker.terminate(),
    get alive() {
      return alive;
    },
  };
}

/** A SearchHelper on `thread`; `close` lets it go (ends it, or gives it back to a pool). */
function helperOn(thread: HelperThread, close: () => void): SearchHelper {
  const { ready, post } = thread;
  return {
    sortMemory(count) {
      if (count * Int32Array.BYTES_PER_ELEMENT < minHelpedBytes) return undefined;
      return {
        values: new Int32Array(new SharedArrayBuffer(count * Int32Array.BYTES_PER_ELEMENT)),
        ready,
        helper: { sortChunks: (job) => post({ kind: 'sort', job }) },
        passHelper: { takePasses: (job) => post({ kind: 'passes', job, warmPieces: false }) },
        measureHelper: { measureRanges: (job) => post({ kind: 'measure', job }) },
      };
    },
    bucketMemory(count) {
      if (count * Uint16Array.BYTES_PER_ELEMENT < minHelpedBytes / 2) return undefined;
      return {
        low: new Uint16Array(new SharedArrayBuffer(count * Uint16Array.BYTES_PER_ELEMENT)),
        ready,
        piecesHelper: { sumPieces: (job) => post({ kind: 'pieces', job }) },
        // A grid over the buckets: once its share of the scatter is done, the thread compiles the pass
        // over them on a small tensor (the main thread meanwhile picks the thresholds).
        passHelper: { takePasses: (job) => post({ kind: 'passes', job, warmPieces: true }) },
      };
    },
    close,
  };
}

/**
 * One helper thread kept between the searches of a process that runs many (the editor's worker, the
 * bench): a thread takes 55-75 ms to start here and compiles its passes again, and a kept one starts
 * the next search's passes at once, compiled. Measured on 10^7-element grid searches in one process: 200-
 * 235 ms each with a new thread, 145-165 with the kept one. A search that asks while the kept thread is
 * busy (two at once) gets a thread of its own, ended after it. The thread never keeps the process alive.
 */
export class SearchHelperPool {
  private kept: HelperThread | undefined;
  private busy = false;

  /** As startSearchHelperFor, on the kept thread when it is free; `close()` gives it back. */
  helperFor(info: Pick<TensorInfo, 'dtype' | 'count'>, start: HelperStart): SearchHelper | undefined {
    if (!helperPays(info)) return undefined;
    if (this.busy) return startSearchHelper(start);
    if (!this.kept?.alive) this.kept = startHelperThread(start);
    const thread = this.kept;
    if (!thread) return undefined;
    this.busy = true;
    let given = false;
    return helperOn(thread, () => {
      if (given) return;
      given = true;
      if (this.kept === thread) this.busy = false;
    });
  }

  /** Ends the kept thread. */
  close(): void {
    this.kept?.terminate();
    this.kept = undefined;
    this.busy = false;
  }
}

/** A float32 tensor large enough that its passes or its sort pay for a second thread. */
function helperPays(info: Pick<TensorInfo, 'dtype' | 'count'>): boolean {
  return isFloat32Dtype(info.dtype) && info.count * Float32Array.BYTES_PER_ELEMENT >= minHelpedBytes;
}

/**
 * A helper for a search of this tensor, started as soon as its header is read: for a float32 tensor
 * large enough that its passes or its sort pay for a second thread (helperPays); none for any other (read
 * whole, with no pass to share). The CLI starts its own here; a process that runs many searches keeps
 * one (SearchHelperPool), with the same rule.
 */
export function startSearchHelperFor(info: Pick<TensorInfo, 'dtype' | 'count'>, start: HelperStart): SearchHelper | undefined {
  return helperPays(info) ? startSearchHelper(start) : undefined;
}

/**
 * What a search's preparation takes from the helper: the sort memory for a search that sorts, else the
 * bucket memory (each undefined without a helper, or for a tensor too small to share).
 */
export function helpedSubjectOptions(helper: SearchHelper | undefined, sorts: boolean): SearchSubjectOptions {
  return {
    sortMemory: (count) => (sorts ? helper?.sortMemory(count) : undefined),
    bucketMemory: (count) => (sorts ? undefined : helper?.bucketMemory(count)),
  };
}
