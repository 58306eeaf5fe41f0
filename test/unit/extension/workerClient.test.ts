import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { memoryByteSource } from '../../../src/core/byteSource';
import { CancelledError, TensorFormatError } from '../../../src/core/errors';
import { encodeNpy } from '../../../src/core/formats/npyWriter';
import { openTensorFile } from '../../../src/core/formats/openTensorFile';
import { quantizeCodes } from '../../../src/core/quant/affineParams';
import { chooseParams } from '../../../src/core/quant/clipRange';
import { buildQuantizeReport, buildSearchReport, prepareSubject } from '../../../src/core/report/buildReports';
import { parseGrid, parseGridSpec } from '../../../src/core/search/gridSpec';
import type { WorkerFileRef } from '../../../src/protocol/worker';
import { WorkerClient, WorkerExitedError } from '../../../src/extension/workerClient';
import { repoRoot } from '../../helpers/cli';

const limits = { maxTensorBytes: 2 ** 30 };
const notebook: WorkerFileRef = { kind: 'path', path: join(repoRoot, 'samples', 'notebook.npy') };

/** The sample read in-process, to compare the worker's answers with. */
async function notebookSubject() {
  const bytes = new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(notebook.kind === 'path' ? notebook.path : '')));
  const file = await openTensorFile(memoryByteSource(bytes, 'notebook.npy'));
  return prepareSubject(await file.read(file.tensors[0].name));
}

describe('numerics worker: the real bundle behind WorkerClient', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  let client: WorkerClient;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'clipwise-worker-'));
    script = join(dir, 'worker.js');
    // The same bundle scripts/build.mjs makes as dist/worker.js, built here so the test never reads a stale one.
    await build({
      entryPoints: [join(repoRoot, 'src/extension/worker/workerMain.ts')],
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: script, logLevel: 'warning',
    });
    // And the search helper beside it, which the worker starts for a large tensor, as from dist/.
    await build({
      entryPoints: [join(repoRoot, 'src/host/searchHelperMain.ts')],
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: join(dir, 'searchHelper.js'), logLevel: 'warning',
    });
    client = new WorkerClient(script, 'test numerics');
  });

  after(function () {
    client?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts lazily, lists and quantizes exactly as the core does in-process', async function () {
    const lazy = new WorkerClient(script, 'lazy');
    assert.equal(lazy.isRunning, false);
    lazy.dispose();
    const listing = await client.call('list', { file: notebook, limits });
    assert.equal(listing.format, 'npy');
    assert.deepEqual(listing.tensors.map((t) => [t.name, t.dtype, t.shape]), [['notebook', 'float64', [1000]]]);
    const options = { bits: 8, range: 'percentile' as const, percentile: 99 };
    const result = await client.call('quantize', { file: notebook, tensor: 'notebook', options, limits });
    const subject = await notebookSubject();
    assert.deepEqual(result.report, buildQuantizeReport(subject, options));
    assert.deepEqual(result.baseline, buildQuantizeReport(subject, { bits: 8, range: 'minmax', percentile: 100 }, { histogramBins: 0 }));
  });

  it('searches with progress and answers the core\'s search report and the report at its best', async function () {
    const fractions: number[] = [];
    const result = await client.call(
      'search',
      { file: notebook, tensor: 'notebook', bits: 8, grid: '99:100:0.01', objective: 'mse', limits },
      { onProgress: (f) => fractions.push(f) },
    );
    const subject = await notebookSubject();
    const expected = await buildSearchReport(subject, { bits: 8, grid: parseGridSpec('99:100:0.01'), objective: 'mse' });
    assert.deepEqual(result.search, expected);
    const best = expected.best.percentile;
    assert.deepEqual(result.report, buildQuantizeReport(subject, best === null ? { bits: 8, range: 'minmax', percentile: 100 } : { bits: 8, range: 'percentile', percentile: best }));
    assert.ok(fractions.length > 0);
    assert.deepEqual(fractions, [...fractions].sort((a, b) => a - b), 'progress only grows');
    assert.equal(fractions[fractions.length - 1], 1);
  });

  it('searches a nines grid (in any case) as the core does, and answers the same search from its cache', async function () {
    const result = await client.call('search', { file: notebook, tensor: 'notebook', bits: 8, grid: 'nines', objective: 'mse', limits });
    const subject = await notebookSubject();
    const expected = await buildSearchReport(subject, { bits: 8, grid: parseGrid('nines'), objective: 'mse' });
    assert.deepEqual(result.search, expected);
    assert.equal(result.search.params.grid, 'nines');
    // 1000 values: 99.9 would move the clip point by 0.999 of an order statistic, so only 99 and 100 (ninesCandidates).
    assert.deepEqual(result.search.curve.map((c) => c.percentile), [99, 100]);
    const best = expected.best.percentile;
    assert.deepEqual(result.report, buildQuantizeReport(subject, best === null ? { bits: 8, range: 'minmax', percentile: 100 } : { bits: 8, range: 'percentile', percentile: best }));
    const again = await client.call('search', { file: notebook, tensor: 'notebook', bits: 8, grid: ' NINES ', objective: 'mse', limits });
    assert.deepEqual(again.search, expected);
  });

  it('sends a format error back as a TensorFormatError with its location', async function () {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '[1, 2,\n  x]');
    await assert.rejects(client.call('list', { file: { kind: 'path', path }, limits }), (err: unknown) => {
      assert.ok(err instanceof TensorFormatError);
      assert.match(err.message, /^Invalid JSON in bad\.json at line 2, column 3/);
      assert.deepEqual([err.location.line, err.location.column], [2, 3]);
      return true;
    });
  });

  it('encodes the codes as a .npy that reads back to the core\'s codes', async function () {
    const options = { bits: 4, range: 'percentile' as const, percentile: 98 };
    const codes = await client.call('encodeCodes', { file: notebook, tensor: 'notebook', options, limits });
    assert.equal(codes.dtype, 'uint8');
    assert.deepEqual(codes.shape, [1000]);
    const file = await openTensorFile(memoryByteSource(codes.bytes, 'codes.npy'));
    assert.equal(file.tensors[0].dtype, 'uint8');
    const read = await file.read(file.tensors[0].name);
    const subject = await notebookSubject();
    const expected = quantizeCodes(subject.tensor.values, chooseParams(subject.prepared, options));
    assert.deepEqual(Array.from(read.values), Array.from(expected));
  });

  it('keeps a float32 tensor in its radix buckets: reports as on the whole tensor, codes exported in element order', async function () {
    // Rows of a seeded float32 matrix with a NaN: streamed and kept as 2 bytes a value, never in element
    // order, so the export must read the elements again, in C order.
    const rows = 300;
    const cols = 70;
    const values = new Float32Array(rows * cols);
    let seed = 11;
    for (let i = 0; i < values.length; i++) values[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.3) * (i % 97 === 0 ? 40 : 3);
    values[123] = NaN;
    const path = join(dir, 'matrix.npy');
    writeFileSync(path, encodeNpy(values, [rows, cols], 'float32'));
    const file: WorkerFileRef = { kind: 'path', path };
    const whole = prepareSubject(await (await openTensorFile(memoryByteSource(new Uint8Array(readFileSync(path)), 'matrix.npy'))).read('matrix'));
    const options = { bits: 6, range: 'percentile' as const, percentile: 99.5 };
    const result = await client.call('quantize', { file, tensor: 'matrix', options, limits });
    const expected = buildQuantizeReport(whole, options);
    assert.deepEqual(result.report.histograms, expected.histograms);
    assert.deepEqual([result.report.scale, result.report.zeroPoint, result.report.warnings], [expected.scale, expected.zeroPoint, expected.warnings]);
    for (const key of ['mse', 'mae', 'maxAbsError', 'mseInliers', 'clippedCount'] as const) {
      assert.ok(Math.abs(result.report.metrics[key] - expected.metrics[key]) <= 1e-12 * Math.abs(expected.metrics[key]), `${key}: ${result.report.metrics[key]} vs ${expected.metrics[key]}`);
    }
    const codes = await client.call('encodeCodes', { file, tensor: 'matrix', options, limits });
    assert.deepEqual(codes.shape, [rows, cols]);
    const read = await (await openTensorFile(memoryByteSource(codes.bytes, 'codes.npy'))).read('codes');
    assert.deepEqual(Array.from(read.values), Array.from(quantizeCodes(whole.tensor.values, chooseParams(whole.prepared, options))));
  });

  it('prepares a large float32 tensor with a helper thread: the reports are the core\'s on the whole tensor', async function () {
    // 1.5 million float32 values (6 MB): above the size where the worker starts a helper for the scatter
    // pass and the sort.
    const n = 1_500_000;
    const values = new Float32Array(n);
    let seed = 5;
    for (let i = 0; i < n; i++) values[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.4) * (i % 1000 === 0 ? 50 : 5);
    const path = join(dir, 'large.npy');
    writeFileSync(path, encodeNpy(values, [n], 'float32'));
    const file: WorkerFileRef = { kind: 'path', path };
    const whole = prepareSubject(await (await openTensorFile(memoryByteSource(new Uint8Array(readFileSync(path)), 'large.npy'))).read('large'));
    const result = await client.call('search', { file, tensor: 'large', bits: 8, grid: '99:100:0.05', objective: 'mse', limits });
    const search = await buildSearchReport(whole, { bits: 8, grid: parseGridSpec('99:100:0.05'), objective: 'mse' });
    assert.equal(result.search.best.percentile, search.best.percentile);
    const options = { bits: 8, range: 'percentile' as const, percentile: search.best.percentile ?? 100 };
    const expected = buildQuantizeReport(whole, options);
    assert.deepEqual(result.report.histograms, expected.histograms);
    for (const key of ['mse', 'mae', 'maxAbsError', 'mseInliers', 'clippedCount'] as const) {
      assert.ok(Math.abs(result.report.metrics[key] - expected.metrics[key]) <= 1e-12 * Math.abs(expected.metrics[key]), `${key}: ${result.report.metrics[key]} vs ${expected.metrics[key]}`);
    }
  });

  it('cancels a running search through its signal, and the worker serves the next request', async function () {
    const n = 2_000_000;
    const values = new Float64Array(n);
    let seed = 7;
    for (let i = 0; i < n; i++) values[i] = ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 200;
    const path = join(dir, 'big.npy');
    writeFileSync(path, encodeNpy(values, [n], 'float64'));
    const file: WorkerFileRef = { kind: 'path', path };
    await client.call('quantize', { file, tensor: 'big', options: { bits: 8, range: 'minmax', percentile: 100 }, limits });
    const controller = new AbortController();
    const started = Date.now();
    let cancelledAt = 0;
    const search = client.call(
      'search',
      { file, tensor: 'big', bits: 16, grid: '50.001:100:0.0005', objective: 'mse', limits },
      {
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0 && cancelledAt === 0) {
            cancelledAt = Date.now();
            controller.abort();
          }
        },
      },
    );
    await assert.rejects(search, (err: unknown) => err instanceof CancelledError);
    assert.ok(cancelledAt > 0, 'the search reported progress before it was cancelled');
    const stoppedMs = Date.now() - cancelledAt;
    assert.ok(stoppedMs < 5000, `stopped ${stoppedMs} ms after the cancel (search ran ${Date.now() - started} ms)`);
    const after = await client.call('quantize', { file, tensor: 'big', options: { bits: 8, range: 'percentile', percentile: 99 }, limits });
    assert.equal(after.report.tensor.count, n);
  });

  it('rejects every pending call when the worker exits, and starts a new one for the next call', async function () {
    const dying = join(dir, 'dying.js');
    writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(7));\n");
    const exits: number[] = [];
    const c = new WorkerClient(dying, 'dying', { onExit: (code) => exits.push(code) });
    try {
      const calls = [c.call('list', { file: notebook, limits }), c.call('list', { file: notebook, limits })];
      for (const call of calls) await assert.rejects(call, (err: unknown) => err instanceof WorkerExitedError && /exit code 7/.test(err.message));
      assert.equal(c.isRunning, false);
      await assert.rejects(c.call('list', { file: notebook, limits }), WorkerExitedError);
      assert.deepEqual(exits, [7, 7]);
    } finally {
      c.dispose();
    }
  });

  it('rejects pending calls with CancelledError when disposed', async function () {
    const c = new WorkerClient(script, 'disposed');
    const pending = c.call('search', { file: notebook, tensor: 'notebook', bits: 8, grid: '99:100:0.0001', objective: 'mse', limits });
    c.dispose();
    await assert.rejects(pending, CancelledError);
    await assert.rejects(c.call('list', { file: notebook, limits }), CancelledError);
  });
});
