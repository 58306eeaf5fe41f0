import { strict as assert } from 'node:assert';
import { UsageError } from '../../../../src/core/errors';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { pickBest } from '../../../../src/core/search/candidate';
import { directGridSearch } from '../../../../src/core/search/directGridSearch';
import { defaultGrid, gridCandidates, parseGrid, refineCandidates, requestCandidates } from '../../../../src/core/search/gridSpec';
import { refinedGridSearch } from '../../../../src/core/search/refinedGridSearch';
import { TensorGenerator } from './tensorGenerators';

describe('grid requests', function () {
  it('parses from:to:step and nines', function () {
    assert.deepEqual(parseGrid('99:100:0.01'), { kind: 'range', spec: { from: 99, to: 100, step: 0.01 } });
    assert.deepEqual(parseGrid(' Nines '), { kind: 'nines' });
    assert.throws(() => parseGrid('nine'), UsageError);
    assert.deepEqual(requestCandidates(parseGrid('99:100:0.5'), 10), [99, 99.5, 100]);
    assert.deepEqual(requestCandidates({ kind: 'nines' }, 100_001), [99, 99.9, 99.99, 99.999, 100]);
  });

  it('refines around the winner by twentieths of its bracket, rounded to 10 decimals', function () {
    const next = refineCandidates([99.98, 99.99, 100], 99.99);
    assert.equal(next.length, 18); // 99.99 itself is not repeated
    assert.equal(next[0], 99.981);
    assert.equal(next[17], 99.999);
    assert.deepEqual(refineCandidates([99, 100], 100).slice(0, 2), [99.05, 99.1]);
  });

  it('a refined search holds the grid and the refinements, with the winner of a plain search over them all', async function () {
    const { values } = new TensorGenerator('refine').tensor(5000, 'laplace');
    const grid = gridCandidates(defaultGrid);
    const refined = await refinedGridSearch(new PreparedValues(values, 't'), 8, grid, 'mse', 3, 2);
    assert.ok(refined.length > grid.length);
    const ps = refined.map((c) => c.percentile as number);
    assert.deepEqual(ps, [...ps].sort((a, b) => a - b));
    const direct = directGridSearch(new PreparedValues(values, 't'), 8, ps, 3);
    assert.equal(pickBest(refined, 'mse').percentile, pickBest(direct, 'mse').percentile);
    const gridOnly = direct.filter((c) => grid.includes(c.percentile as number));
    assert.ok(pickBest(refined, 'mse').metrics.mse <= pickBest(gridOnly, 'mse').metrics.mse);
  });
});
