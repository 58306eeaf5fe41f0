import { availableParallelism, loadavg } from 'node:os';
import type { SortMemory } from '../core/quant/float32Stream';
import { sharedSortSource, type SharedSortJob } from '../core/search/radixSort';

/** Below this many bytes a thread costs more than it saves. */
const minBytes = 4 * 1024 * 1024;

/**
 * The helper thread: it first touches one int of every page of the sort's memory (Atomics.add of 0
 * writes, so the page is faulted in for the process, yet never changes a value the main thread may
 * already have put there), warms the sort kernels on a few values, then sorts chunks of buckets beside
 * the main thread when the job arrives.
 */
function helperSource(): string {
  return `
const { workerData, parentPort } = require('node:worker_threads');
${sharedSortSource()}
const all = new Int32Array(workerData);
for (let i = 0; i < all.length; i += 1024) Atomics.add(all, i, 0);
{
  const keys = new Int32Array(64);
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < keys.length; i++) keys[i] = (i * 7919) % 97 - 40;
    sortClaimedChunks(keys, Int32Array.of(0, 8, 64), Int32Array.of(0, 1, 2), new Int32Array(1), new Int32Array(2), 32,
      new Int32Array(64), new Int32Array(256), new Int32Array(256), 2);
  }
}
parentPort.once('message', (job) => {
  sortClaimedChunks(new Int32Array(job.values), new Int32Array(job.starts), new Int32Array(job.chunks), new Int32Array(job.cursor),
    new Int32Array(job.done), job.insertionMax, new Int32Array(job.maxBucket), new Int32Array(256), new Int32Array(256), Infinity);
});
`;
}

/**
 * Memory for a streamed tensor's sorted copy, with a worker thread that helps: while the main thread
 * reads the file, the worker faults the memory's pages in; once the values are scattered into their
 * buckets, it sorts chunks of the buckets beside the main thread (Float32RadixSorter.finish).
 *
 * The first write to each fresh page costs a page fault, and on the virtual machines measured here a
 * fault costs about 15 µs (3.5-4 ms per MB): for a 10^7-element tensor's 40 MB sorted copy, 150 ms of
 * a 650 ms search. Faulting in the pages on the second core took 70-100 ms off the whole process, and
 * sharing the buckets' sort about 50 more, when that core was idle. When every core is busy already
 * (a load average at or above the cores) there is no second core to win, so nothing is returned and
 * the sort allocates and works alone, as it does for small tensors and on one core.
 */
export function helpedSortMemory(count: number): SortMemory | undefined {
  const bytes = count * Int32Array.BYTES_PER_ELEMENT;
  if (bytes < minBytes) return undefined;
  const cores = availableParallelism();
  if (cores < 2 || loadavg()[0] >= cores) return undefined;
  const shared = new SharedArrayBuffer(bytes);
  let post: ((job: SharedSortJob) => void) | undefined;
  try {
    // Loaded here, not at start-up: worker_threads costs every CLI run 10-20 ms to load.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new Worker(helperSource(), { eval: true, workerData: shared });
    worker.on('error', () => undefined);
    worker.unref();
    post = (job) => worker.postMessage(job);
  } catch {
    // No thread: the sort does everything itself.
  }
  const values = new Int32Array(shared);
  // A helper that never runs only leaves every chunk to the main thread, which claims them in turn.
  return post ? { values, helper: { sortChunks: post } } : { values };
}
