import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { CancelledError } from '../../../../src/core/errors';
import { encodeNpy } from '../../../../src/core/formats/npyWriter';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';
import { Float32StreamPreparer } from '../../../../src/core/quant/float32Stream';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { summaryStats } from '../../../../src/core/quant/summaryStats';
import { buildSearchReport, prepareSubject } from '../../../../src/core/report/buildReports';
import { prepareSearchSubject } from '../../../../src/core/report/searchSubject';
import { bucketedMeasureApplies } from '../../../../src/core/search/bucketedMeasure';
import { bucketedValuesOf } from '../../../../src/core/search/bucketedValues';
import { hasSortedIndex, sortedIndexOf } from '../../../../src/core/search/sortedIndex';
import { assertSameMetrics } from '../search/fastGridSearch.test';
import { TensorGenerator, tensorKinds } from '../search/tensorGenerators';
import { runPython } from '../../../helpers/python';

function same(a: unknown, b: unknown, where: string): void {
  // deepEqual tells -0 from +0 only through Object.is on numbers, which is what we want.
  assert.deepStrictEqual(a, b, where);
}

/** float32 values of a kind, with NaN and ±Inf sprinkled in when asked. */
function float32Tensor(g: TensorGenerator, n: number, kind: string, nonFinite: boolean): Float32Array {
  const values = Float32Array.from(g.tensor(n, kind).values);
  if (nonFinite) for (let i = g.int(0, 9); i < n; i += g.int(5, 40)) values[i] = g.pick([NaN, Infinity, -Infinity]);
  return values;
}

/** The streaming preparer over `values` cut into chunks of random sizes. */
function streamed(g: TensorGenerator, values: Float32Array, name: string) {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  const cuts = [0];
  while (cuts[cuts.length - 1] < values.length) cuts.push(Math.min(values.length, cuts[cuts.length - 1] + g.int(1, 5000)));
  const preparer = new Float32StreamPreparer(name);
  for (let c = 0; c + 1 < cuts.length; c++) preparer.first(bits.slice(cuts[c], cuts[c + 1]));
  preparer.beginSecondPass();
  for (let c = 0; c + 1 < cuts.length; c++) preparer.second(bits.slice(cuts[c], cuts[c + 1]));
  return preparer.finish();
}

describe('float32 tensors streamed for a search', function () {
  it('give the counts, min, max, statistics, sorted values and block sums of the whole read, bit for bit', function () {
    const g = new TensorGenerator('stream32');
    for (const kind of tensorKinds) {
      for (const n of [1, 5, 100, 4097, 20000]) {
        const values = float32Tensor(g, n, kind, g.uniform() < 0.4);
        const wide = Float64Array.from(values);
        if (!wide.some(Number.isFinite)) continue;
        const where = `${kind} n=${n}`;
        const whole = new PreparedValues(wide, 't');
        const { prepared, stats } = streamed(g, values, 't');
        same([prepared.nanCount, prepared.posInfCount, prepared.negInfCount, prepared.min, prepared.max], [whole.nanCount, whole.posInfCount, whole.negInfCount, whole.min, whole.max], `${where} facts`);
        same(stats, summaryStats(whole), `${where} stats`);
        assert.ok(prepared.isFloat32 && whole.isFloat32, where);
        same(Float64Array.from(prepared.sorted), Float64Array.from(whole.sorted), `${where} sorted`);
        same(prepared.fences(3), whole.fences(3), `${where} fences`);
        const a = sortedIndexOf(prepared);
        const b = sortedIndexOf(whole);
        for (const key of ['local', 'superSums', 'samples', 'cumAbs', 'cumSquares'] as const) {
          same(a[key], b[key], `${where} index ${key}`);
        }
        same(a.signalSquares, b.signalSquares, `${where} signal`);
      }
    }
  });

  it('refuses an empty tensor and one without a finite value as PreparedValues does', function () {
    const g = new TensorGenerator('stream32-refuse');
    for (const values of [new Float32Array(0), Float32Array.of(NaN, Infinity)]) {
      let expected = '';
      try {
        new PreparedValues(Float64Array.from(values), 't');
      } catch (err) {
        expected = (err as Error).message;
      }
      assert.ok(expected);
      assert.throws(() => streamed(g, values, 't'), (err: Error) => err.message === expected);
    }
  });

  it('a search over a streamed .npy equals the search over the tensor read whole, for float32 and int16 files', async function () {
    const g = new TensorGenerator('stream32-npy');
    for (const [dtype, kind] of [['float32', 'laplace'], ['float32', 'uniformOutliers'], ['int16', 'integers'], ['float32', 'codeGrid']] as const) {
      const values = float32Tensor(g, 30011, kind, dtype === 'float32');
      const bytes = encodeNpy(dtype === 'int16' ? Int16Array.from(values) : values, [30011], dtype);
      const file = await openTensorFile(memoryByteSource(bytes, 't.npy'));
      assert.ok(file.readFloat32Chunks?.('t'));
      const options = { bits: 8, grid: { from: 99, to: 100, step: 0.05 }, objective: 'mse' as const };
      const progress: number[] = [];
      const subject = await prepareSearchSubject(file, 't', { onProgress: (f) => progress.push(f) });
      assert.ok(progress.length > 1 && progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1])));
      const whole = prepareSubject(await file.read('t'));
      same(subject.summary, whole.summary, `${dtype} ${kind} summary`);
      same(await buildSearchReport(subject, options), await buildSearchReport(whole, options), `${dtype} ${kind} report`);
    }
  });

  it('a grid over a large streamed tensor is measured over its buckets, never sorted, to the whole read\'s figures and winner', async function () {
    const g = new TensorGenerator('stream32-buckets');
    for (const kind of ['normal', 'uniformOutliers', 'integers', 'studentT3']) {
      const values = float32Tensor(g, 60013, kind, true);
      const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 't.npy'));
      const options = { bits: 8, grid: { kind: 'range' as const, spec: { from: 99, to: 100, step: 0.05 } }, objective: 'mse' as const };
      const subject = await prepareSearchSubject(file, 't');
      assert.ok(bucketedValuesOf(subject.prepared), kind);
      assert.ok(bucketedMeasureApplies(subject.prepared.finite.length, 8, 21), kind);
      const streamedReport = await buildSearchReport(subject, options);
      assert.ok(!hasSortedIndex(subject.prepared), `${kind}: the grid sorted the tensor`);
      const whole = prepareSubject(await file.read('t'));
      const wholeReport = await buildSearchReport(whole, options);
      same(streamedReport.tensor, wholeReport.tensor, `${kind} summary`);
      same(streamedReport.best.percentile, wholeReport.best.percentile, `${kind} winner`);
      assertSameMetrics(streamedReport.minmax.metrics, wholeReport.minmax.metrics, `${kind} min-max`);
      streamedReport.curve.forEach((c, i) => {
        assert.equal(c.percentile, wholeReport.curve[i].percentile);
        assert.ok(Math.abs(c.value - wholeReport.curve[i].value) <= 1e-12 * Math.abs(wholeReport.curve[i].value), `${kind} P=${c.percentile}`);
      });
    }
  });

  it('sorts into the buffer the host gives, with the same result', async function () {
    const values = float32Tensor(new TensorGenerator('stream32-buffer'), 20011, 'laplace', true);
    const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'b.npy'));
    const shared = new Int32Array(new SharedArrayBuffer(4 * values.length));
    const asked: number[] = [];
    const subject = await prepareSearchSubject(file, 'b', {}, { sortMemory: (count) => (asked.push(count), { values: shared }) });
    assert.deepEqual(asked, [values.length]);
    assert.equal(subject.prepared.sorted.buffer, shared.buffer);
    const plain = await prepareSearchSubject(file, 'b');
    const options = { bits: 8, grid: { from: 99, to: 100, step: 0.1 }, objective: 'mse' as const };
    same(await buildSearchReport(subject, options), await buildSearchReport(plain, options), 'report');
  });

  it('gives the same result when a helper that shares the scatter never starts (this thread does its part)', async function () {
    const values = float32Tensor(new TensorGenerator('stream32-absent-helper'), 700001, 'studentT3', true);
    const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'a.npy'));
    let posted = 0;
    const sortMemory = (count: number) => ({ values: new Int32Array(new SharedArrayBuffer(4 * count)), passHelper: { takePasses: () => void posted++ } });
    const subject = await prepareSearchSubject(file, 'a', {}, { sortMemory });
    assert.equal(posted, 1);
    const plain = await prepareSearchSubject(file, 'a');
    same(subject.summary, plain.summary, 'summary');
    same(Float64Array.from(subject.prepared.sorted), Float64Array.from(plain.prepared.sorted), 'sorted');
  });

  it('a search over a streamed .npz member, stored or deflated by numpy, equals the search over the member read whole', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'clipwise-npz32-'));
    try {
      const stored = join(dir, 's.npz');
      const deflated = join(dir, 'd.npz');
      runPython(`
import numpy as np, sys
rng = np.random.default_rng(8)
w = rng.laplace(size=40_011).astype(np.float32); w[::501] = np.nan; w[7] = 90
h = rng.standard_normal((120, 70)).astype(np.float16)
f = np.asfortranarray(rng.standard_normal((300, 40)).astype(np.float32))
d = rng.standard_normal(500)
np.savez(sys.argv[1], w=w, h=h, f=f, d=d); np.savez_compressed(sys.argv[2], w=w, h=h, f=f, d=d)`, [stored, deflated]);
      for (const path of [stored, deflated]) {
        const file = await openTensorFile(memoryByteSource(new Uint8Array(readFileSync(path)), path.endsWith('s.npz') ? 's.npz' : 'd.npz'));
        // Fortran order and float64 values cannot stream as float32: they are read whole.
        assert.equal(file.readFloat32Chunks?.('f'), undefined);
        assert.equal(file.readFloat32Chunks?.('d'), undefined);
        for (const name of ['w', 'h']) {
          assert.ok(file.readFloat32Chunks?.(name), name);
          const options = { bits: 8, grid: { from: 99, to: 100, step: 0.05 }, objective: 'mse' as const };
          const subject = await prepareSearchSubject(file, name);
          assert.ok(bucketedValuesOf(subject.prepared), `${path} ${name} kept in buckets`);
          const whole = prepareSubject(await file.read(name));
          same(subject.summary, whole.summary, `${path} ${name} summary`);
          const streamedReport = await buildSearchReport(subject, options);
          const wholeReport = await buildSearchReport(whole, options);
          same(streamedReport.best.percentile, wholeReport.best.percentile, `${path} ${name} winner`);
          streamedReport.curve.forEach((c, i) => {
            assert.ok(Math.abs(c.value - wholeReport.curve[i].value) <= 1e-12 * Math.abs(wholeReport.curve[i].value), `${path} ${name} P=${c.percentile}`);
          });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to a whole read where the dtype holds values beyond float32', async function () {
    const values = Float64Array.of(0.1, 1e-300, 3, -7);
    const file = await openTensorFile(memoryByteSource(encodeNpy(values, [4], 'float64'), 'd.npy'));
    assert.equal(file.readFloat32Chunks?.('d'), undefined);
    const subject = await prepareSearchSubject(file, 'd');
    same(subject.summary, prepareSubject(await file.read('d')).summary, 'float64');
  });

  it('stops with CancelledError when aborted while streaming', async function () {
    const values = Float32Array.from(new TensorGenerator('c').tensor(300000, 'normal').values);
    const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'c.npy'));
    const signal = { aborted: false };
    await assert.rejects(prepareSearchSubject(file, 'c', { signal, onProgress: () => { signal.aborted = true; } }), CancelledError);
  });
});
