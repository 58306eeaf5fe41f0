import { availableParallelism, loadavg } from 'node:os';

/** Below this many bytes the thread costs more than the faults it takes. */
const minBytes = 4 * 1024 * 1024;

/**
 * Touches one int of every page: Atomics.add of 0 writes, so the page is faulted in for the process,
 * yet never changes a value that the main thread may already have put there.
 */
const touchPages = `
const { workerData } = require('node:worker_threads');
const a = new Int32Array(workerData);
for (let i = 0; i < a.length; i += 1024) Atomics.add(a, i, 0);
`;

/**
 * Memory whose pages another thread faults in while this one works on: an Int32Array over a
 * SharedArrayBuffer of `count` ints, and a worker that touches every page of it.
 *
 * The first write to each fresh page costs a page fault, and on the virtual machines measured here a
 * fault costs about 15 µs (3.5-4 ms per MB): for a 10^7-element tensor's 40 MB sorted copy, 150 ms of a
 * search's 650. A worker that touches the pages while the main thread reads the file took 70-100 ms
 * off the whole process when the second core was idle. When every core is busy already (a load average
 * at or above the cores) the plain allocation is returned: the sort then faults the pages in itself, as
 * without this.
 */
export function prefaultedInt32Array(count: number): Int32Array | undefined {
  const bytes = count * Int32Array.BYTES_PER_ELEMENT;
  if (bytes < minBytes) return undefined;
  const cores = availableParallelism();
  if (cores < 2 || loadavg()[0] >= cores) return undefined;
  const shared = new SharedArrayBuffer(bytes);
  try {
    // Loaded here, not at start-up: worker_threads costs every CLI run 10-20 ms to load.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new Worker(touchPages, { eval: true, workerData: shared });
    worker.on('error', () => undefined);
    worker.unref();
  } catch {
    // No thread: the sort faults the pages in itself.
  }
  return new Int32Array(shared);
}
