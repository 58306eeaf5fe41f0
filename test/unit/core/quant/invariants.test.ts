import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { quantizeCodes } from '../../../../src/core/quant/affineParams';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { measureDirect } from '../../../../src/core/quant/metrics';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';

const finiteDouble = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const anyDouble = fc.oneof(finiteDouble, fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-300));
const tensor = fc.array(anyDouble, { minLength: 1, maxLength: 200 }).filter((a) => a.some(Number.isFinite));
const bits = fc.integer({ min: 2, max: 16 });
const percentile = fc.double({ min: 50.0001, max: 100, noNaN: true });

describe('quantization invariants (property tests)', function () {
  it('every code lies in [0, 2^b - 1], non-finite values included', function () {
    fc.assert(
      fc.property(tensor, bits, percentile, (xs, b, p) => {
        const x = Float64Array.from(xs);
        const params = chooseParams(new PreparedValues(x, 't'), { bits: b, range: 'percentile', percentile: p });
        for (const q of quantizeCodes(x, params)) assert.ok(q >= 0 && q <= 2 ** b - 1 && Number.isInteger(q));
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it('percentile 100 gives exactly the min-max range', function () {
    fc.assert(
      fc.property(tensor, bits, (xs, b) => {
        const prepared = new PreparedValues(Float64Array.from(xs), 't');
        const p = chooseParams(prepared, { bits: b, range: 'percentile', percentile: 100 });
        const m = chooseParams(prepared, { bits: b, range: 'minmax', percentile: 100 });
        assert.deepEqual(p, m);
      }),
      { seed: 2, numRuns: 300 },
    );
  });

  it('no metric is ever NaN', function () {
    fc.assert(
      fc.property(tensor, bits, percentile, (xs, b, p) => {
        const prepared = new PreparedValues(Float64Array.from(xs), 't');
        const params = chooseParams(prepared, { bits: b, range: 'percentile', percentile: p });
        const m = measureDirect(prepared.finite, params, prepared.fences());
        for (const [k, v] of Object.entries(m)) assert.ok(!Number.isNaN(v), `${k} is NaN`);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  // A degenerate tight range is widened to include 0 (contract), which may clip less: excluded.
  it('clipping more never lowers clippedCount', function () {
    fc.assert(
      fc.property(tensor, bits, percentile, percentile, (xs, b, p1, p2) => {
        const prepared = new PreparedValues(Float64Array.from(xs), 't');
        const [loose, tight] = p1 >= p2 ? [p1, p2] : [p2, p1];
        fc.pre(prepared.percentile(tight) > prepared.percentile(100 - tight));
        const count = (p: number) => measureDirect(prepared.finite, chooseParams(prepared, { bits: b, range: 'percentile', percentile: p }), prepared.fences()).clippedCount;
        assert.ok(count(tight) >= count(loose));
      }),
      { seed: 4, numRuns: 300 },
    );
  });
});
