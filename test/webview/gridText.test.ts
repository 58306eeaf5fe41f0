import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkGridText, isValidPercentile } from '../../webview/gridText';
import { coreGridVerdict, gridText } from '../helpers/gridTexts';

describe('webview grid and percentile checks (the core rules, before a round trip)', function () {
  it('counts the candidates of a valid grid as gridCandidates does', function () {
    assert.deepEqual(checkGridText('99:100:0.01'), { ok: true, kind: 'range', count: 101 });
    assert.deepEqual(checkGridText(' 98 : 100 : 0.5 '), { ok: true, kind: 'range', count: 5 });
    assert.deepEqual(checkGridText('99.9:99.9:1'), { ok: true, kind: 'range', count: 1 });
  });

  it('accepts nines in any case, as the CLI\'s --grid nines', function () {
    for (const text of ['nines', ' NINES ', 'Nines']) assert.deepEqual(checkGridText(text), { ok: true, kind: 'nines' }, text);
    for (const text of ['nine', 'nines:', 'n ines']) assert.equal(checkGridText(text).ok, false, text);
  });

  it('refuses what the core refuses, saying why', function () {
    for (const [text, why] of [
      ['99:100', /from:to:step .* or as nines/],
      ['a:b:c', /from:to:step/],
      ['99:100:0', /step must be positive/],
      ['100:99:0.1', /above the end/],
      ['40:100:1', /\(50, 100\]/],
      ['99:101:1', /\(50, 100\]/],
      ['50.000001:100:0.0000001', /at most 100000/],
    ] as const) {
      const check = checkGridText(text);
      assert.equal(check.ok, false, text);
      if (!check.ok) assert.match(check.message, why, text);
    }
  });

  it('gives the core\'s verdict on every text: the same grids accepted, with the same candidate counts', function () {
    fc.assert(
      fc.property(gridText, (text) => {
        const core = coreGridVerdict(text);
        const page = checkGridText(text);
        const seen = page.ok ? (page.kind === 'nines' ? { kind: 'nines' } : { kind: 'range', count: page.count }) : { kind: 'refused' };
        assert.deepEqual(seen, core.kind === 'refused' ? { kind: 'refused' } : core, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts P in (50, 100] only', function () {
    assert.deepEqual([50, 50.01, 99, 100, 100.01, NaN].map(isValidPercentile), [false, true, true, true, false, false]);
  });
});
