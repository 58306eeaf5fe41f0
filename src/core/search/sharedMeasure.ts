import { CancelledError } from '../errors';
import type { WorkControl } from '../formats/tensorFile';
import type { AffineParams } from '../quant/affineParams';
import type { Metrics } from '../quant/metrics';
import type { OutlierFences, PreparedValues } from '../quant/preparedValues';
import { RangeEvaluator } from './rangeEvaluator';
import type { SortedIndex } from './sortedIndex';
import { takeOverMs, waitSliceMs } from './helperWaits';

/** Numbers per measured range in the results, in this order. */
const metricKeys = ['mse', 'mae', 'maxAbsError', 'sqnrDb', 'clippedCount', 'clippedFraction', 'mseInliers'] as const satisfies readonly (keyof Metrics)[];
/** Ranges below which a second thread costs more than it saves. */
const minShared = 8;

/**
 * Ranges for two threads to measure on one sorted index: each claims the next range from a shared cursor,
 * so neither waits while work is left and a helper that is slow, or never starts, only leaves more to the
 * other. The index's tables are shared memory (SortedIndexBuilder's `shared`), so posting the job to a
 * worker copies none of them.
 */
export interface SharedMeasureJob {
  readonly index: SortedIndex;
  readonly fences: OutlierFences;
  readonly useBlocks: boolean;
  readonly params: readonly AffineParams[];
  /** Int32: the next range to claim, and the count of ranges measured. */
  readonly cursor: SharedArrayBuffer;
  /** Int32 per range: 1 once its results are written. */
  readonly done: SharedArrayBuffer;
  /** Float64: metricKeys.length numbers per range. */
  readonly results: SharedArrayBuffer;
}

/** A thread that measures claimed ranges of a SharedMeasureJob (measureClaimed) once it is posted. */
export interface MeasureHelper {
  measureRanges(job: SharedMeasureJob): void;
}

const helpers = new WeakMap<PreparedValues, MeasureHelper>();

/** Lets searches on `prepared` share their measuring with a helper thread (its index must be shared memory). */
export function rememberMeasureHelper(prepared: PreparedValues, helper: MeasureHelper): void {
  helpers.set(prepared, helper);
}

/** The helper a host gave for `prepared`, if any. */
export function measureHelperOf(prepared: PreparedValues): MeasureHelper | undefined {
  return helpers.get(prepared);
}

/** True when a job's tables can be shared with a worker as they are. */
export function isSharedIndex(index: SortedIndex): boolean {
  return index.sorted.buffer instanceof SharedArrayBuffer && index.local.buffer instanceof SharedArrayBuffer && index.samples.buffer instanceof SharedArrayBuffer;
}

/**
 * Claims ranges of the job and measures them until none is left (`measure` defaults to a RangeEvaluator on
 * the job's index, as a helper thread runs it); returns how many this thread measured.
 */
export function measureClaimed(job: SharedMeasureJob, measure?: (p: AffineParams) => Metrics, signal?: { readonly aborted: boolean }): number {
  const cursor = new Int32Array(job.cursor);
  const results = new Float64Array(job.results);
  const done = new Int32Array(job.done);
  let evaluate = measure;
  let mine = 0;
  for (;;) {
    if (signal?.aborted) {
      Atomics.store(cursor, 0, job.params.length);
      throw new CancelledError();
    }
    const i = Atomics.add(cursor, 0, 1);
    if (i >= job.params.length) return mine;
    if (!evaluate) {
      const evaluator = new RangeEvaluator(job.index, job.fences, job.index.sorted);
      evaluate = (p) => evaluator.measure(p, job.useBlocks);
    }
    writeResult(results, i, evaluate(job.params[i]));
    if (Atomics.exchange(done, i, 1) === 0) Atomics.add(cursor, 1, 1);
    Atomics.notify(cursor, 1);
    mine++;
  }
}

/** A job over `params` with nothing claimed yet; its tables must be shared memory (isSharedIndex). */
export function createMeasureJob(index: SortedIndex, fences: OutlierFences, useBlocks: boolean, params: readonly AffineParams[]): SharedMeasureJob {
  return {
    index,
    fences,
    useBlocks,
    params,
    cursor: new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT),
    done: new SharedArrayBuffer(params.length * Int32Array.BYTES_PER_ELEMENT),
    results: new SharedArrayBuffer(params.length * metricKeys.length * Float64Array.BYTES_PER_ELEMENT),
  };
}

/**
 * Measures every range, sharing them with `helper` when there is one and enough ranges; the metrics are
 * the same whoever measured them (the same evaluator on the same index). Progress follows the count
 * measured by both threads.
 */
export function measureShared(
  index: SortedIndex | undefined,
  fences: OutlierFences | undefined,
  useBlocks: boolean,
  params: readonly AffineParams[],
  measure: (p: AffineParams) => Metrics,
  helper: MeasureHelper | undefined,
  control: WorkControl = {},
): Metrics[] {
  if (!index || !fences || !helper || params.length < minShared || !isSharedIndex(index)) {
    return params.map((p, i) => {
      if (control.signal?.aborted) throw new CancelledError();
      const m = measure(p);
      control.onProgress?.((i + 1) / params.length);
      return m;
    });
  }
  const job = createMeasureJob(index, fences, useBlocks, params);
  helper.measureRanges(job);
  const cursor = new Int32Array(job.cursor);
  const progress = control.onProgress;
  // Both threads claim from the start. This thread used to leave short work to the warm helper alone
  // (while V8 compiled on background threads that took CPU from it); with compiling on the thread that
  // runs the code, joining at once measured as fast or faster: --method optimal 714-721 ms against
  // 728-733, 16 bits 1.63 s against 1.65 s (medians of 5-7 interleaved runs, 10^7 values).
  measureClaimed(job, progress ? (p) => {
    const m = measure(p);
    progress(Atomics.load(cursor, 1) / params.length);
    return m;
  } : measure, control.signal);
  // The helper's last claims: wait for them, a little at a time, so that a cancel is heard.
  const results = new Float64Array(job.results);
  let waited = 0;
  for (let count = Atomics.load(cursor, 1); count < params.length; count = Atomics.load(cursor, 1)) {
    if (control.signal?.aborted) throw new CancelledError();
    if (Atomics.wait(cursor, 1, count, waitSliceMs) === 'timed-out' && (waited += waitSliceMs) >= takeOverMs) {
      takeOver(job, results, measure);
      break;
    }
    if (Atomics.load(cursor, 1) !== count) waited = 0;
  }
  progress?.(1);
  return params.map((_, i) => readResult(results, i));
}

function writeResult(results: Float64Array, i: number, m: Metrics): void {
  for (let k = 0; k < metricKeys.length; k++) results[i * metricKeys.length + k] = m[metricKeys[k]];
}

/** The metrics writeResult stored, in metricKeys' order (spelled out, so that the compiler checks every key). */
function readResult(results: Float64Array, i: number): Metrics {
  const at = i * metricKeys.length;
  return {
    mse: results[at],
    mae: results[at + 1],
    maxAbsError: results[at + 2],
    sqnrDb: results[at + 3],
    clippedCount: results[at + 4],
    clippedFraction: results[at + 5],
    mseInliers: results[at + 6],
  };
}

/** Measures, on this thread, every range whose results are not written yet (the same numbers the helper would write). */
function takeOver(job: SharedMeasureJob, results: Float64Array, measure: (p: AffineParams) => Metrics): void {
  const done = new Int32Array(job.done);
  for (let i = 0; i < job.params.length; i++) {
    if (Atomics.load(done, i) === 1) continue;
    writeResult(results, i, measure(job.params[i]));
    Atomics.store(done, i, 1);
  }
}
