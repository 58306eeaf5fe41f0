// The search helper thread (see searchHelper.ts): takes the jobs the main thread posts — the helper part
// of the scatter pass (faulting in the sort's memory whenever it waits), chunks of the buckets' sort, and
// ranges to measure in each search.
import { parentPort } from 'node:worker_threads';
import { sortClaimedChunks, warmSortKernels, type SharedSortJob } from '../core/search/radixSort';
import { measureClaimed } from '../core/search/sharedMeasure';
import { helpWithPasses } from '../core/search/sharedPasses';
import { warmRangeEvaluator } from '../core/search/warmEvaluator';
import type { HelperJob } from './searchHelper';

// Compiles the sort's kernels on a few values before the first long chunk (see warmFloat32Kernels),
// and the range evaluator before the search's candidates: this thread starts while the main thread
// reads the file, so it has the time, and its share of the candidates then runs at full speed.
warmSortKernels();
warmRangeEvaluator(structuredClone);
parentPort?.postMessage('ready');

parentPort?.on('message', (job: HelperJob) => {
  if (job.kind === 'passes') helpWithPasses(job.job);
  else if (job.kind === 'measure') measureClaimed(job.job);
  else sortJob(job.job);
});

function sortJob(job: SharedSortJob): void {
  sortClaimedChunks(new Int32Array(job.values), new Int32Array(job.starts), new Int32Array(job.chunks), new Int32Array(job.cursor),
    new Int32Array(job.done), new Int32Array(job.maxBucket), new Int32Array(256), new Int32Array(256), Infinity);
}
