import { strict as assert } from 'node:assert';
import { Float32RadixSorter, sortFloat32 } from '../../../src/core/search/radixSort';
import { helpedSortMemory } from '../../../src/host/sortHelper';
import { TensorGenerator } from '../core/search/tensorGenerators';

describe('sort memory with a helper thread', function () {
  it('gives nothing for a small tensor, and shared memory of the size asked for a large one (unless every core is busy)', function () {
    assert.equal(helpedSortMemory(1000), undefined);
    const memory = helpedSortMemory(3 << 20);
    if (memory === undefined) return; // one core, or every core busy: the sort allocates for itself
    assert.equal(memory.values.length, 3 << 20);
    assert.ok(memory.values.buffer instanceof SharedArrayBuffer);
  });

  it('a sort that shares its buckets with the helper equals the sort alone, bit for bit, ranges handed over in order', async function () {
    this.timeout(60_000);
    const g = new TensorGenerator('helped-sort');
    for (const kind of ['normal', 'laplace', 'integers', 'fewValues']) {
      const values = Float32Array.from(g.tensor(1_500_000, kind).values);
      for (let i = 0; i < values.length; i += 101) values[i] = g.pick([NaN, Infinity, -Infinity, -0, 0]);
      const memory = helpedSortMemory(values.length);
      if (memory === undefined) this.skip();
      const bits = new Int32Array(values.buffer);
      const sorter = new Float32RadixSorter();
      for (let i = 0; i < bits.length; i += 65536) sorter.count(bits, i, Math.min(bits.length, i + 65536));
      sorter.begin(memory.values);
      for (let i = 0; i < bits.length; i += 65536) sorter.scatter(bits, i, Math.min(bits.length, i + 65536));
      // Give the helper time to fault the pages in and wait for the job.
      await new Promise((resolve) => setTimeout(resolve, 300));
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
});
