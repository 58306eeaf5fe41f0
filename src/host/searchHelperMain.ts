// The search helper thread (see searchHelper.ts): takes the jobs the main thread posts — the helper part
// of the scatter pass (faulting in the sort's memory whenever it waits), chunks of the buckets' sort,
// ranges to measure in each search, and chunks of the passes over the buckets.
import { parentPort, workerData } from 'node:worker_threads';
import { sortClaimedChunks, warmSortKernels, type SharedSortJob } from '../core/search/radixSort';
import { measureClaimed } from '../core/search/sharedMeasure';
import { helpWithPasses } from '../core/search/sharedPasses';
import { sumClaimedPieces } from '../core/search/sharedPieces';
import { warmRangeEvaluator } from '../core/search/warmEvaluator';
import { warmPieceSums } from '../core/search/warmPieces';
import type { HelperJob, HelperStart } from './searchHelper';

// For a search that sorts: compiles the sort's kernels on a few values before the first long chunk (see
// warmFloat32Kernels), and the range evaluator before the search's candidates: this thread starts while
// the main thread reads the file, so it has the time, and its share of the candidates then runs at full
// speed. For a search over the buckets: the pass over them, once its share of the scatter pass is done
// (the main thread then picks the percentiles and the threshold keys, 30 ms or so at 10^7 values).
const sorts = (workerData as HelperStart | undefined)?.sorts !== false;
if (sorts) {
  warmSortKernels();
  warmRangeEvaluator(structuredClone);
}
parentPort?.postMessage('ready');

let piecesWarm = false;

parentPort?.on('message', (job: HelperJob) => {
  if (job.kind === 'passes') {
    helpWithPasses(job.job);
    if (job.warmPieces && !piecesWarm) {
      warmPieceSums(structuredClone);
      piecesWarm = true;
    }
  } else if (job.kind === 'measure') {
    measureClaimed(job.job);
  } else if (job.kind === 'pieces') {
    sumClaimedPieces(job.job);
  } else {
    sortJob(job.job);
  }
});

function sortJob(job: SharedSortJob): void {
  sortClaimedChunks(new Int32Array(job.values), new Int32Array(job.starts), new Int32Array(job.chunks), new Int32Array(job.cursor),
    new Int32Array(job.done), new Int32Array(job.maxBucket), new Int32Array(256), new Int32Array(256), Infinity);
}
