import { strict as assert } from 'node:assert';
import { memoryByteSource } from '../../../src/core/byteSource';
import { encodeNpy } from '../../../src/core/formats/npyWriter';
import { openTensorFile } from '../../../src/core/formats/openTensorFile';
import { Float32RadixSorter, sortFloat32 } from '../../../src/core/search/radixSort';
import { buildSearchReport } from '../../../src/core/report/buildReports';
import { prepareSearchSubject } from '../../../src/core/report/searchSubject';
import { helperChunks, helperTakingPasses, type PassHelper, type SharedPassJob } from '../../../src/core/search/sharedPasses';
import { helperPieceChunks, type PiecesHelper, type SharedPiecesJob } from '../../../src/core/search/sharedPieces';
import { SearchHelperPool, startSearchHelper, startSearchHelperFor, type SearchHelper } from '../../../src/host/searchHelper';
import { assertSameMetrics } from '../core/search/fastGridSearch.test';
import { TensorGenerator } from '../core/search/tensorGenerators';

/**
 * Blocks this thread until `done()` (the helper thread runs on meanwhile): a test that holds the main
 * thread until the helper has taken a job asserts the helper's share whatever the machine's load, where
 * a race between the two threads would decide it otherwise.
 */
function blockUntil(done: () => boolean, what: string, timeoutMs = 20_000): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`waited ${timeoutMs} ms for ${what}`);
    Atomics.wait(sleeper, 0, 0, 1);
  }
}

/** The pass helper, with the main thread held until the helper takes the job (every helper-part chunk is then its own). */
function heldPassHelper(passHelper: PassHelper, jobs: SharedPassJob[]): PassHelper {
  return {
    takePasses: (job) => {
      passHelper.takePasses(job);
      jobs.push(job);
      blockUntil(() => helperTakingPasses(job), 'the helper to take the passes');
    },
  };
}

describe('the search helper thread', function () {
  this.timeout(60_000);
  const started: SearchHelper[] = [];
  /** A helper thread of its own and memory for `count` values with it (closed after the suite). */
  function helpedSortMemory(count: number) {
    const helper = startSearchHelper();
    assert.ok(helper, 'a helper thread on this machine (two cores)');
    started.push(helper);
    return helper.sortMemory(count);
  }

  /** A helper thread of its own for searches over buckets, and bucket memory for `count` values with it. */
  function helpedBucketMemory(count: number) {
    const helper = startSearchHelper({ sorts: false });
    assert.ok(helper, 'a helper thread on this machine (two cores)');
    started.push(helper);
    return helper.bucketMemory(count);
  }

  after(function () {
    for (const helper of started) helper.close();
  });

  it('is started for a tensor streamed as float32 of 4 MiB or more, and for no other (read whole, nothing to share)', function () {
    const helperFor = (dtype: 'float64' | 'int32' | 'float32' | 'uint8', count: number) => {
      const helper = startSearchHelperFor({ dtype, count }, { sorts: false });
      if (helper) started.push(helper);
      return helper !== undefined;
    };
    assert.equal(helperFor('float64', 1 << 24), false, 'float64');
    assert.equal(helperFor('int32', 1 << 24), false, 'int32');
    assert.equal(helperFor('float32', (1 << 20) - 1), false, 'just under 4 MiB of float32');
    assert.equal(helperFor('float32', 1 << 20), true, '4 MiB of float32');
    assert.equal(helperFor('uint8', 1 << 20), true, 'uint8, streamed as float32 (4 bytes a value)');
    for (const helper of started.splice(0)) helper.close();
  });

  it('gives nothing for a small tensor, and shared memory of the size asked for a large one', function () {
    assert.equal(helpedSortMemory(1000), undefined);
    const memory = helpedSortMemory(3 << 20);
    assert.ok(memory, 'a helper on this machine');
    assert.equal(memory.values.length, 3 << 20);
    assert.ok(memory.values.buffer instanceof SharedArrayBuffer);
    assert.ok(memory.helper && memory.passHelper && memory.measureHelper);
  });

  it('a sort that shares its buckets with the helper equals the sort alone, bit for bit, ranges handed over in order', async function () {
    const g = new TensorGenerator('helped-sort');
    for (const kind of ['normal', 'laplace', 'integers', 'fewValues']) {
      const values = Float32Array.from(g.tensor(1_500_000, kind).values);
      for (let i = 0; i < values.length; i += 101) values[i] = g.pick([NaN, Infinity, -Infinity, -0, 0]);
      const memory = helpedSortMemory(values.length);
      assert.ok(memory?.helper);
      const bits = new Int32Array(values.buffer);
      const sorter = new Float32RadixSorter();
      for (let i = 0; i < bits.length; i += 65536) sorter.count(bits, i, Math.min(bits.length, i + 65536));
      sorter.begin(memory.values);
      for (let i = 0; i < bits.length; i += 65536) sorter.scatter(bits, i, Math.min(bits.length, i + 65536));
      // The helper started and waiting for the job: the sort is shared.
      await memory.ready;
      let next = 0;
      const sorted = sorter.finish({}, (_sorted, from, to) => {
        assert.equal(from, next, `${kind}: ranges in order`);
        next = to;
      }, memory.helper);
      assert.equal(next, sorted.length);
      const expected = sortFloat32(values);
      assert.equal(sorted.length, expected.length);
      for (let i = 0; i < expected.length; i++) if (!Object.is(sorted[i], expected[i])) assert.fail(`${kind}: [${i}] ${sorted[i]} vs ${expected[i]}`);
    }
  });

  it('a search whose passes the helper shares equals the search alone, and the helper scatters some of the chunks', async function () {
    const g = new TensorGenerator('helped-passes');
    const jobs: SharedPassJob[] = [];
    for (const kind of ['uniformOutliers', 'studentT3', 'integers']) {
      const values = Float32Array.from(g.tensor(2_000_003, kind).values);
      for (let i = 7; i < values.length; i += 997) values[i] = g.pick([NaN, Infinity, -Infinity, -0]);
      const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'h.npy'));
      let offered = 0;
      // Started and ready first: the passes of a tensor this small are over before a thread starts.
      const memory = helpedSortMemory(values.length);
      assert.ok(memory && 'ready' in memory);
      await memory.ready;
      const subject = await prepareSearchSubject(file, 'h', {}, {
        sortMemory: (count) => {
          assert.equal(count, values.length);
          assert.ok(memory.passHelper);
          const held = heldPassHelper(memory.passHelper, jobs);
          return { ...memory, passHelper: { takePasses: (job) => (offered++, held.takePasses(job)) } };
        },
      });
      assert.equal(offered, 1, `${kind}: the passes were offered to the helper`);
      const chunks = helperChunks(jobs[jobs.length - 1]);
      assert.ok(chunks > 0, `${kind}: the helper scattered ${chunks} chunks`);
      const alone = await prepareSearchSubject(file, 'h');
      assert.deepStrictEqual(subject.summary, alone.summary, `${kind} summary`);
      const a = subject.prepared.sorted;
      const b = alone.prepared.sorted;
      assert.equal(a.length, b.length);
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${kind}: sorted[${i}] ${a[i]} vs ${b[i]}`);
      // Alone, the grid is measured over the radix buckets; with the helper, over the sorted index: the
      // same winner and figures, to the contract's 1e-12 (the last bit may differ).
      const options = { bits: 8, grid: { from: 99, to: 100, step: 0.05 }, objective: 'mse' as const };
      const helped = await buildSearchReport(subject, options);
      const single = await buildSearchReport(alone, options);
      assert.deepStrictEqual(helped.best.percentile, single.best.percentile, `${kind} winner`);
      assertSameMetrics(helped.best.metrics, single.best.metrics, `${kind} best`);
      assertSameMetrics(helped.minmax.metrics, single.minmax.metrics, `${kind} min-max`);
      helped.curve.forEach((c, i) => assert.ok(Math.abs(c.value - single.curve[i].value) <= 1e-12 * Math.abs(single.curve[i].value), `${kind} P=${c.percentile}`));
    }
  });

  it('a kept thread serves one search after another, and a search that asks while it is busy gets a thread of its own', async function () {
    const pool = new SearchHelperPool();
    try {
      const g = new TensorGenerator('kept-helper');
      const info = { dtype: 'float32' as const, count: 2_000_003 };
      assert.equal(pool.helperFor({ dtype: 'float64', count: info.count }, { sorts: false }), undefined, 'float64: read whole, no thread');
      const threadOf = (helper: SearchHelper | undefined) => helper?.bucketMemory(info.count)?.ready;
      let first: Promise<void> | undefined;
      for (const round of [0, 1, 2]) {
        const helper = pool.helperFor(info, { sorts: false });
        assert.ok(helper, 'a helper thread on this machine (two cores)');
        if (round === 0) first = threadOf(helper);
        else assert.equal(threadOf(helper), first, `search ${round}: the kept thread`);
        const busy = pool.helperFor(info, { sorts: false });
        assert.ok(busy && threadOf(busy) !== first, `search ${round}: a second search at once gets a thread of its own`);
        busy.close();
        const values = Float32Array.from(g.tensor(info.count, round === 1 ? 'normal' : 'uniformOutliers').values);
        const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'k.npy'));
        const memory = helper.bucketMemory(info.count);
        assert.ok(memory?.passHelper);
        await memory.ready;
        const passJobs: SharedPassJob[] = [];
        const held = heldPassHelper(memory.passHelper, passJobs);
        const subject = await prepareSearchSubject(file, 'k', {}, {
          bucketMemory: () => ({ ...memory, passHelper: held }),
        });
        helper.close();
        const options = { bits: 8, grid: { from: 99, to: 100, step: 0.01 }, objective: 'mse' as const };
        const helped = await buildSearchReport(subject, options);
        const single = await buildSearchReport(await prepareSearchSubject(file, 'k'), options);
        assert.ok(helperChunks(passJobs[0]) > 0, `search ${round}: the kept thread scattered ${helperChunks(passJobs[0])} chunks`);
        assert.deepStrictEqual(helped.best.percentile, single.best.percentile, `search ${round} winner`);
        helped.curve.forEach((c, i) => assert.ok(Math.abs(c.value - single.curve[i].value) <= 1e-12 * Math.abs(single.curve[i].value), `search ${round} P=${c.percentile}`));
      }
    } finally {
      pool.close();
    }
  });

  it('a search over buckets whose scatter pass and piece pass the helper shares equals the search alone, the helper doing some of each', async function () {
    const g = new TensorGenerator('helped-buckets');
    for (const kind of ['uniformOutliers', 'normal', 'integers']) {
      const values = Float32Array.from(g.tensor(2_500_001, kind).values);
      for (let i = 11; i < values.length; i += 991) values[i] = g.pick([NaN, Infinity, -Infinity, -0]);
      const file = await openTensorFile(memoryByteSource(encodeNpy(values, [values.length], 'float32'), 'b.npy'));
      const memory = helpedBucketMemory(values.length);
      assert.ok(memory && memory.passHelper && memory.low.buffer instanceof SharedArrayBuffer);
      await memory.ready;
      const passJobs: SharedPassJob[] = [];
      const pieceJobs: SharedPiecesJob[] = [];
      const { piecesHelper } = memory;
      const heldPasses = heldPassHelper(memory.passHelper, passJobs);
      // The main thread held until the helper has summed a chunk: it compiles the piece pass once its
      // share of the scatter is done, and takes the piece pass's job only then.
      const heldPieces: PiecesHelper = {
        sumPieces: (job) => {
          piecesHelper.sumPieces(job);
          pieceJobs.push(job);
          blockUntil(() => helperPieceChunks(job) > 0, 'the helper to sum a chunk');
        },
      };
      const subject = await prepareSearchSubject(file, 'b', {}, {
        bucketMemory: () => ({ low: memory.low, passHelper: heldPasses, piecesHelper: heldPieces }),
      });
      const alone = await prepareSearchSubject(file, 'b');
      const options = { bits: 8, grid: { from: 99, to: 100, step: 0.01 }, objective: 'mse' as const };
      const helped = await buildSearchReport(subject, options);
      const single = await buildSearchReport(alone, options);
      assert.equal(passJobs.length, 1, `${kind}: the scatter pass was offered`);
      assert.ok(helperChunks(passJobs[0]) > 0, `${kind}: the helper scattered ${helperChunks(passJobs[0])} chunks`);
      assert.equal(pieceJobs.length, 1, `${kind}: the piece pass was offered`);
      assert.ok(helperPieceChunks(pieceJobs[0]) > 0, `${kind}: the helper summed some chunks`);
      assert.deepStrictEqual(subject.summary.stats, alone.summary.stats, `${kind} stats`);
      assert.deepStrictEqual(helped.best.percentile, single.best.percentile, `${kind} winner`);
      assertSameMetrics(helped.best.metrics, single.best.metrics, `${kind} best`);
      helped.curve.forEach((c, i) => assert.ok(Math.abs(c.value - single.curve[i].value) <= 1e-12 * Math.abs(single.curve[i].value), `${kind} P=${c.percentile}`));
    }
  });
});
