import { strict as assert } from 'node:assert';
import { gridCandidates } from '../../src/core/search/gridSpec';
import { percentileAxis } from '../../webview/percentileAxis';

type TickLabel = (v: number | string) => string | null;

describe('the error curve\'s percentile axis', function () {
  it('draws a nines grid on a reversed log axis of 100 - P, P = 100 a decade past the smallest tail', function () {
    const ps = [99, 99.9, 99.99, 99.999, 100];
    const axis = percentileAxis(ps);
    assert.equal(axis.log, true);
    assert.equal(axis.extra.type, 'logarithmic');
    assert.equal(axis.extra.reverse, true);
    const xs = ps.map((p) => axis.toX(p));
    // Each candidate a decade from the next, P growing to the right (the axis is reversed).
    for (let i = 1; i < xs.length; i++) assert.ok(Math.abs(xs[i - 1] / xs[i] - 10) < 1e-6, `${ps[i - 1]} to ${ps[i]}: ${xs[i - 1]} / ${xs[i]}`);
    assert.ok((axis.extra.min as number) < xs[xs.length - 1] && (axis.extra.max as number) > xs[0]);
    const label = axis.extra.ticks.callback as TickLabel;
    assert.equal(label(1), '99');
    assert.equal(label(0.01), '99.99');
    assert.equal(label(xs[xs.length - 1]), '100');
    assert.equal(label(0.5), null, 'only powers of ten are labelled');
    assert.equal(axis.toX(99.95), 100 - 99.95, 'a percentile between the candidates (the current one) has its place');
  });

  it('keeps plain grids, whose tails crowd the top decade, on a linear axis of P', function () {
    for (const spec of [{ from: 99, to: 100, step: 0.01 }, { from: 90, to: 100, step: 0.01 }, { from: 99.9, to: 100, step: 0.001 }]) {
      const ps = gridCandidates(spec);
      const axis = percentileAxis(ps);
      assert.equal(axis.log, false, `${spec.from}:${spec.to}:${spec.step}`);
      assert.equal(axis.toX(99.5), 99.5);
      assert.equal(axis.extra.min, spec.from);
      assert.equal(axis.extra.max, spec.to);
      assert.equal((axis.extra.ticks.callback as TickLabel)(99.25), '99.25');
    }
  });

  it('takes the largest grid allowed (100 000 candidates)', function () {
    const ps = gridCandidates({ from: 50.0005, to: 100, step: 0.0005 });
    assert.equal(ps.length, 100_000);
    const axis = percentileAxis(ps);
    assert.equal(axis.log, false);
    assert.deepEqual([axis.extra.min, axis.extra.max], [50.0005, 100]);
  });

  it('keeps a linear axis where there is no span to spread: one tail, or one candidate', function () {
    assert.equal(percentileAxis([99, 100]).log, false);
    const one = percentileAxis([100]);
    assert.equal(one.log, false);
    assert.deepEqual([one.extra.min, one.extra.max], [99.5, 100.5]);
  });
});
