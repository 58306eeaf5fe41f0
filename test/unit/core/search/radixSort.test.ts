import { strict as assert } from 'node:assert';
import { CancelledError } from '../../../../src/core/errors';
import { Float32RadixSorter, sortFloat32, sortFloat64 } from '../../../../src/core/search/radixSort';
import { TensorGenerator, tensorKinds } from './tensorGenerators';

/** Same values, same order, -0 and +0 told apart. */
function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, where: string): void {
  assert.equal(actual.length, expected.length, `${where}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${where}: [${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

/** float32 values of every kind, with extremes mixed in: subnormals, ±0, the largest float32. */
function float32Cases(g: TensorGenerator): Array<{ where: string; values: Float32Array }> {
  const out: Array<{ where: string; values: Float32Array }> = [];
  const extremes = [0, -0, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38, 3.4028234663852886e38, -3.4028234663852886e38, 1, -1];
  for (const kind of tensorKinds) {
    for (const n of [0, 1, 2, 33, 1000, 5000, 70001]) {
      const values = Float32Array.from(g.tensor(n, kind).values);
      if (n > 100 && g.uniform() < 0.5) for (let i = 0; i < n; i += 97) values[i] = g.pick(extremes);
      out.push({ where: `${kind} n=${n}`, values });
    }
  }
  return out;
}

describe('radix sorts', function () {
  it('sortFloat32 equals Float64Array.prototype.sort of the same values, bit for bit', function () {
    const g = new TensorGenerator('radix32');
    for (const { where, values } of float32Cases(g)) {
      // Kinds beyond float32's range turn into ±Inf, which both sorts leave to the caller.
      const finite = Float64Array.from(values).filter(Number.isFinite);
      const expected = Float64Array.from(finite).sort();
      assertSameBits(sortFloat32(values), expected, where);
      assertSameBits(sortFloat64(finite), expected, `${where} (float64 sort)`);
    }
  });

  it('leaves NaN and ±Inf out, and sorts the finite values as the float64 sort does', function () {
    const g = new TensorGenerator('radix32-nonfinite');
    const values = Float32Array.from(g.tensor(20000, 'normal').values);
    for (let i = 0; i < values.length; i += 13) values[i] = g.pick([NaN, Infinity, -Infinity]);
    const finite = Float64Array.from(values).filter(Number.isFinite);
    assertSameBits(sortFloat32(values), sortFloat64(finite), 'with non-finite values');
  });

  it('takes chunks in any order for both passes and reports each final range in order', function () {
    const g = new TensorGenerator('radix32-chunks');
    const values = Float32Array.from(g.tensor(50000, 'laplace').values);
    const bits = new Int32Array(values.buffer);
    const sorter = new Float32RadixSorter();
    const cuts = [0, 7, 1000, 1001, 25000, 50000];
    for (let c = 0; c + 1 < cuts.length; c++) sorter.count(bits, cuts[c], cuts[c + 1]);
    assert.equal(sorter.length, values.length);
    sorter.begin();
    for (let c = cuts.length - 2; c >= 0; c--) sorter.scatter(bits, cuts[c], cuts[c + 1]);
    let next = 0;
    const sorted = sorter.finish({}, (s, from, to) => {
      assert.equal(from, next);
      for (let i = Math.max(1, from); i < to; i++) assert.ok(s[i - 1] <= s[i]);
      next = to;
    });
    assert.equal(next, values.length);
    assertSameBits(sorted, Float64Array.from(values).sort(), 'chunks');
  });

  it('one heavy bucket and constant data', function () {
    const heavy = new Float32Array(40000);
    for (let i = 0; i < heavy.length; i++) heavy[i] = 1 + ((i * 7919) % 40000) * 2 ** -23;
    assertSameBits(sortFloat32(heavy), Float64Array.from(heavy).sort(), 'heavy bucket');
    assertSameBits(sortFloat32(new Float32Array(5000).fill(-2.5)), new Float64Array(5000).fill(-2.5), 'constant');
  });

  it('stops with CancelledError when aborted', function () {
    const values = Float32Array.from(new TensorGenerator('c').tensor(300000, 'normal').values);
    assert.throws(() => sortFloat32(values, { signal: { aborted: true } }), CancelledError);
  });
});
