import { strict as assert } from 'node:assert';
import type { AffineParams } from '../../../../src/core/quant/affineParams';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { RangeEvaluator } from '../../../../src/core/search/rangeEvaluator';
import { measureClaimed, measureShared, type SharedMeasureJob } from '../../../../src/core/search/sharedMeasure';
import { SortedIndexBuilder } from '../../../../src/core/search/sortedIndex';
import { sortFloat32 } from '../../../../src/core/search/radixSort';
import { TensorGenerator } from './tensorGenerators';

/** A sorted float32 tensor in shared memory with its shared index, and ranges to measure on it. */
function sharedCase(seed: string, n: number) {
  const g = new TensorGenerator(seed);
  const sortedLocal = sortFloat32(Float32Array.from(g.tensor(n, 'studentT3').values));
  const sorted = new Float32Array(new SharedArrayBuffer(sortedLocal.byteLength));
  sorted.set(sortedLocal);
  const builder = new SortedIndexBuilder(sorted, {}, true);
  builder.consume(sorted.length);
  const index = builder.finish();
  const prepared = new PreparedValues(sorted, 't', sorted, { nanCount: 0, posInfCount: 0, negInfCount: 0, min: sorted[0], max: sorted[sorted.length - 1] });
  const fences = prepared.fences(3);
  const params: AffineParams[] = [];
  for (let p = 99; p <= 100; p += 0.05) params.push(chooseParams(prepared, { bits: 8, range: 'percentile', percentile: Math.min(100, p) }));
  const evaluator = new RangeEvaluator(index, fences, sorted);
  const measure = (p: AffineParams) => evaluator.measure(p, true);
  return { index, fences, params, measure };
}

describe('ranges measured by two threads on one shared index', function () {
  it('keeps its tables in shared memory when asked, and gives the same sums as an unshared index', function () {
    const { index } = sharedCase('shared-index', 50_000);
    for (const key of ['local', 'superSums', 'samples', 'coarseSamples', 'cumAbs', 'cumSquares'] as const) {
      assert.ok(index[key].buffer instanceof SharedArrayBuffer, key);
    }
    const plain = new SortedIndexBuilder(Float32Array.from(index.sorted));
    plain.consume(index.n);
    const other = plain.finish();
    for (const key of ['local', 'superSums', 'samples', 'coarseSamples', 'cumAbs', 'cumSquares'] as const) {
      assert.deepStrictEqual(Array.from(index[key]), Array.from(other[key]), key);
    }
  });

  it('gives every range the metrics of the evaluator, whichever thread measured it', function () {
    const { index, fences, params, measure } = sharedCase('shared-measure', 200_000);
    const expected = params.map(measure);
    // A helper that takes every range before this thread looks (it runs at once, here)...
    let posted = 0;
    const eager = measureShared(index, fences, true, params, measure, { measureRanges: (job) => { posted++; measureClaimed(job); } });
    assert.equal(posted, 1);
    assert.deepStrictEqual(eager, expected);
    // ...one that never starts, so that this thread measures all...
    const absent = measureShared(index, fences, true, params, measure, { measureRanges: () => undefined });
    assert.deepStrictEqual(absent, expected);
    // ...and one that takes a share: every other range, as claimed from the cursor.
    let job: SharedMeasureJob | undefined;
    const progress: number[] = [];
    const shared = measureShared(index, fences, true, params, (p) => {
      if (job) measureClaimed({ ...job, params: job.params }, undefined, { aborted: false });
      return measure(p);
    }, { measureRanges: (j) => (job = j) }, { onProgress: (f) => progress.push(f) });
    assert.deepStrictEqual(shared, expected);
    assert.equal(progress[progress.length - 1], 1);
  });

  it('takes over the ranges of a helper that claimed some and never finished them', function () {
    this.timeout(20_000);
    const { index, fences, params, measure } = sharedCase('shared-dead-helper', 50_000);
    const expected = params.map(measure);
    // The helper claims three ranges and dies.
    const result = measureShared(index, fences, true, params, measure, {
      measureRanges: (job) => void Atomics.add(new Int32Array(job.cursor), 0, 3),
    });
    assert.deepStrictEqual(result, expected);
  });

  it('stops with CancelledError when cancelled, and tells the helper to stop claiming', function () {
    const { index, fences, params, measure } = sharedCase('shared-cancel', 50_000);
    const signal = { aborted: false };
    let job: SharedMeasureJob | undefined;
    let calls = 0;
    assert.throws(() => measureShared(index, fences, true, params, (p) => {
      if (++calls === 3) signal.aborted = true;
      return measure(p);
    }, { measureRanges: (j) => (job = j) }, { signal }), { name: 'CancelledError' });
    assert.ok(job);
    assert.ok(Atomics.load(new Int32Array(job.cursor), 0) >= params.length, 'nothing left to claim');
  });
});
