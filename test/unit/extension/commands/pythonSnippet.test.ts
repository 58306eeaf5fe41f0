import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../../../src/core/formats/npyWriter';
import type { QuantizeOptions } from '../../../../src/core/quant/clipRange';
import { buildQuantizeReport, prepareSubject } from '../../../../src/core/report/buildReports';
import type { QuantizeReport } from '../../../../src/core/report/reportTypes';
import { paramsJson } from '../../../../src/extension/commands/paramsJson';
import { pythonFloat, pythonSnippet } from '../../../../src/extension/commands/pythonSnippet';
import { pythonWithNumpy, runPython } from '../../../helpers/python';

function reportOf(values: number[], options: QuantizeOptions, name = 'x'): QuantizeReport {
  const tensor = { name, dtype: 'float64' as const, shape: [values.length], count: values.length, byteSize: 8 * values.length, values: Float64Array.from(values), warnings: [] };
  return buildQuantizeReport(prepareSubject(tensor), options, { histogramBins: 0 });
}

/** The numpy half of a snippet (PyTorch is not installed here). */
function numpyPart(snippet: string): string {
  return snippet.slice(0, snippet.indexOf('# The same with PyTorch.'));
}

describe('Python snippet: numpy reproduces the quantization, PyTorch caveats are spelled out', function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'clipwise-snippet-'));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes floats that read back to the same double', function () {
    assert.equal(pythonFloat(113), '113.0');
    assert.equal(pythonFloat(0.1 + 0.2), '0.30000000000000004');
    assert.equal(pythonFloat(1e-7), '1e-7');
    assert.equal(pythonFloat(-0.5), '-0.5');
  });

  it('numpy on the .npy gives exactly Clipwise\'s scale and zero point (the snippet asserts it)', function () {
    if (!pythonWithNumpy()) this.skip();
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i * 0.37) * 40 + (i % 7) * 0.125);
    values.push(300, NaN, -Infinity);
    const path = join(dir, 'w.npy');
    writeFileSync(path, encodeNpy(Float64Array.from(values), [values.length], 'float64'));
    const report = reportOf(values, { bits: 8, range: 'percentile', percentile: 99.5 }, 'w');
    const snippet = pythonSnippet({ path, format: 'npy', report });
    const out = runPython(numpyPart(snippet));
    assert.match(out, /^scale=.* zero_point=.* mse=.*$/m);
    const mse = Number(/mse=(\S+)/.exec(out)?.[1]);
    assert.ok(Math.abs(mse - report.metrics.mse) <= 1e-12 * report.metrics.mse, `${mse} vs ${report.metrics.mse}`);
  });

  it('reads every JSON form the reader accepts, and min-max too', function () {
    if (!pythonWithNumpy()) this.skip();
    const values = [1.5, -2.25, 3, 0.125, 7, -8];
    const options: QuantizeOptions = { bits: 4, range: 'minmax', percentile: 100 };
    const forms: Array<[string, string]> = [
      ['bare.json', '[[1.5, -2.25, 3], [0.125, 7, -8]]'],
      ['object.json', '{"shape": [2, 3], "dtype": "float32", "data": [1.5, -2.25, 3, 0.125, 7, -8]}'],
      ['named.json', '{"other": [0], "t": {"data": [[1.5, -2.25, 3], [0.125, 7, -8]]}}'],
    ];
    for (const [name, text] of forms) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const base = reportOf(values, options, 't');
      const report = { ...base, tensor: { ...base.tensor, shape: [2, 3] } };
      runPython(numpyPart(pythonSnippet({ path, format: 'json', report })));
    }
  });

  it('says so when the seed\'s zero point is outside the codes, and clamps it for PyTorch', function () {
    const report = reportOf([2, 3, 5], { bits: 8, range: 'minmax', percentile: 100 });
    assert.equal(report.zeroPoint, -170);
    const snippet = pythonSnippet({ path: '/data/x.npy', format: 'npy', report });
    assert.match(snippet, /# The seed's zero point -170\.0 lies outside the codes \[0, 255\], so 0 is not representable\./);
    assert.match(snippet, /PyTorch needs an integer zero point in \[0, 255\] and refuses this one/);
    assert.match(snippet, /^zp = int\(min\(max\(zero_point, 0\), qmax\)\)$/m);
    assert.match(snippet, /torch\.quantize_per_tensor\(t, scale=float\(scale\), zero_point=zp, dtype=torch\.quint8\)/);
  });

  it('uses fake quantization for widths other than 8 bits, and the whole snippet is valid Python', function () {
    const report = reportOf([-1, 0, 0.5, 2], { bits: 4, range: 'minmax', percentile: 100 });
    const snippet = pythonSnippet({ path: 'C:\\data\\x.npy', format: 'npy', report });
    assert.match(snippet, /torch\.fake_quantize_per_tensor_affine\(t, float\(scale\), zp, 0, qmax\)/);
    assert.ok(!snippet.includes('lies outside the codes'));
    assert.ok(snippet.includes('np.load("C:\\\\data\\\\x.npy")'));
    if (!pythonWithNumpy()) this.skip();
    runPython('import ast, sys; ast.parse(sys.stdin.read())', [], snippet);
  });

  it('parameters JSON carries the map, the metrics and infinity as 1e999', function () {
    const report = reportOf([0, 1, 2, 3], { bits: 2, range: 'minmax', percentile: 100 });
    assert.equal(report.metrics.sqnrDb, Infinity);
    const text = paramsJson('x.npy', 'npy', report);
    assert.match(text, /"sqnrDb": 1e999/);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    assert.equal(parsed.scale, 1);
    assert.equal(parsed.zeroPoint, 0);
    assert.equal(parsed.bits, 2);
    assert.equal(parsed.range, 'minmax');
    assert.equal((parsed.metrics as Record<string, number>).sqnrDb, Infinity);
  });
});
