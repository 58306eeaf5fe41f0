import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { SortMemory } from '../core/quant/float32Stream';
import type { SharedSortJob } from '../core/search/radixSort';
import type { SharedMeasureJob } from '../core/search/sharedMeasure';
import type { SharedPassJob } from '../core/search/sharedPasses';

/** What the main thread posts to the helper thread. */
export type HelperJob =
  | { readonly kind: 'passes'; readonly job: SharedPassJob }
  | { readonly kind: 'sort'; readonly job: SharedSortJob }
  | { readonly kind: 'measure'; readonly job: SharedMeasureJob };

/** Sort memory with a helper thread, and when the thread is up (for tests: work offered before is done by the main thread). */
export interface HelpedSortMemory extends SortMemory {
  readonly ready: Promise<void>;
}

/** Below this many bytes a thread costs more than it saves. */
const minBytes = 4 * 1024 * 1024;

/**
 * The helper's script: the bundle beside this one (dist/searchHelper.js), or, when this module runs from
 * source (the unit tests, through tsx), the source entry with the same loader.
 */
function helperScript(): { path: string; execArgv?: string[] } {
  if (__filename.endsWith('.ts')) return { path: join(__dirname, 'searchHelperMain.ts'), execArgv: ['--require', 'tsx/cjs'] };
  return { path: join(__dirname, 'searchHelper.js') };
}

/**
 * Memory for a streamed tensor's sorted copy, with a helper thread that works beside the main thread: it
 * takes every chunk of both passes that the main thread offers while a slot is free, and faults the
 * memory's pages in whenever it has none (SharedPasses), then sorts chunks of the buckets beside the main
 * thread (Float32RadixSorter.finish), and measures ranges beside it in every search (sharedMeasure).
 *
 * The first write to each fresh page costs a page fault, and on the virtual machines measured here a
 * fault costs about 12 µs (3 ms per MB in 4 KiB pages): for a 10^7-element tensor's 40 MB sorted copy,
 * 120 ms. When every core is busy already (a load average at or above the cores) there is no second core
 * to win, so nothing is returned and the sort allocates and works alone, as it does for small tensors and
 * on one core (`evenWhenBusy` skips that check, for tests). The thread is unreferenced: it never keeps the process alive, and it ends with it.
 */
export function helpedSortMemory(count: number, options: { readonly evenWhenBusy?: boolean } = {}): HelpedSortMemory | SortMemory | undefined {
  const bytes = count * Int32Array.BYTES_PER_ELEMENT;
  if (bytes < minBytes) return undefined;
  const cores = availableParallelism();
  if (!options.evenWhenBusy && (cores < 2 || loadavg()[0] >= cores)) return undefined;
  const script = helperScript();
  if (!existsSync(script.path)) return undefined;
  const shared = new SharedArrayBuffer(bytes);
  const values = new Int32Array(shared);
  try {
    // Loaded here, not at start-up: worker_threads costs every CLI run 10-20 ms to load.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new Worker(script.path, { execArgv: script.execArgv });
    worker.on('error', () => undefined);
    worker.unref();
    const post = (job: HelperJob) => worker.postMessage(job);
    const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
    return {
      values,
      ready,
      helper: { sortChunks: (job) => post({ kind: 'sort', job }) },
      passHelper: { takePasses: (job) => post({ kind: 'passes', job }) },
      measureHelper: { measureRanges: (job) => post({ kind: 'measure', job }) },
    };
  } catch {
    // No thread: the sort does everything itself.
    return { values };
  }
}
