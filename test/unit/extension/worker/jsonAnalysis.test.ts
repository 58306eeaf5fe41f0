import { strict as assert } from 'node:assert';
import { dequantizeCode, quantizeValue } from '../../../../src/core/quant/affineParams';
import { buildQuantizeReport, prepareSubject } from '../../../../src/core/report/buildReports';
import type { QuantizeOptions } from '../../../../src/core/quant/clipRange';
import type { DiagnosticRecord, JsonDiagnosticOptions } from '../../../../src/protocol/worker';
import { analyzeJsonText, inspectJsonElement, unravelIndex } from '../../../../src/extension/worker/jsonAnalysis';

const limits = { maxTensorBytes: 2 ** 30 };
const p99: QuantizeOptions = { bits: 8, range: 'percentile', percentile: 99 };
const noThreshold: JsonDiagnosticOptions = { maxPerFile: 200, errorThreshold: null };

/** The text a record points at. */
function at(text: string, r: DiagnosticRecord): string {
  return text.slice(r.range.start, r.range.end);
}

/** 1000 values like the seed notebook's (uniform -80..100, 4 decimals) with 580 last: a JSON array. */
function notebookText(): { text: string; values: number[] } {
  let seed = 12345;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: 999 }, () => Number((next() * 180 - 80).toFixed(4)));
  values.push(580);
  return { text: `[\n  ${values.join(',\n  ')}\n]\n`, values };
}

describe('JSON tensor diagnostics (analyzeJsonText)', function () {
  it('warns on the clipped outlier at its own characters, naming value, result and error', function () {
    const { text, values } = notebookText();
    const { analysis } = analyzeJsonText(text, 'notebook.json', p99, noThreshold, limits);
    const report = buildQuantizeReport(prepareSubject({ name: 'notebook', dtype: 'float64', shape: [1000], count: 1000, byteSize: 0, values: Float64Array.from(values), warnings: [] }), p99);
    const clipped = analysis.diagnostics.filter((d) => d.kind === 'clipped');
    assert.equal(clipped.length, report.metrics.clippedCount);
    assert.ok(clipped.every((d) => d.severity === 'warning'));
    const outlier = clipped.find((d) => at(text, d) === '580');
    assert.ok(outlier, 'the outlier 580 is marked');
    const params = { ...report, bits: 8, warnings: [] };
    const q = quantizeValue(580, params);
    assert.equal(q, 255);
    const xHat = dequantizeCode(q, params);
    assert.match(outlier.message, /^580 is clipped \(above the clip range's top [\d.]+\): it becomes [\d.]+ \(code 255\), error [\d.]+\.$/);
    assert.ok(outlier.message.includes(`error ${Number((580 - xHat).toPrecision(6))}`));
  });

  it('puts one summary at the top with bits, scheme, scale, zero point, MSE, SQNR and clipped count', function () {
    const { text } = notebookText();
    const { analysis } = analyzeJsonText(text, 'notebook.json', p99, noThreshold, limits);
    const summaries = analysis.diagnostics.filter((d) => d.kind === 'summary');
    assert.equal(summaries.length, 1);
    const [summary] = summaries;
    assert.equal(summary.severity, 'information');
    assert.deepEqual(summary.range, { start: 0, end: 1 });
    assert.match(summary.message, /^8-bit percentile 99: scale [\d.e-]+, zero point -?\d+, MSE [\d.e-]+, SQNR [\d.]+ dB, \d+ clipped \([\d.]+%\)\.$/);
    const q = analysis.tensors[0].quantization;
    assert.ok(q);
    assert.equal(analysis.tensors[0].name, 'notebook');
    assert.deepEqual(analysis.tensors[0].shape, [1000]);
  });

  it('caps element diagnostics at maxPerFile, clipped ones first, and says how many more', function () {
    const { text } = notebookText();
    const { analysis } = analyzeJsonText(text, 'notebook.json', p99, { maxPerFile: 5, errorThreshold: 0.3 }, limits);
    const elements = analysis.diagnostics.filter((d) => d.kind === 'clipped' || d.kind === 'aboveThreshold');
    assert.equal(elements.length, 5);
    const clippedTotal = analysis.tensors[0].quantization?.metrics.clippedCount ?? 0;
    assert.ok(clippedTotal >= 5, 'the 99th percentile clips at least 5 of 1000 values');
    assert.ok(elements.every((d) => d.kind === 'clipped'), 'clipped elements take the places first');
    const more = analysis.diagnostics.filter((d) => d.kind === 'more');
    assert.equal(more.length, 1);
    assert.match(more[0].message, /^[\d,]+ more elements clipped or above the error threshold are not marked; at most 5 are \(clipwise\.diagnostics\.maxPerFile\)\.$/);
    const starts = elements.map((d) => d.range.start);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'in file order');
  });

  it('gives an information to each element above the error threshold, and none without one', function () {
    const text = '[0, 0.1, 0.2, 0.35, 1]';
    const options: QuantizeOptions = { bits: 2, range: 'minmax', percentile: 100 };
    const without = analyzeJsonText(text, 't.json', options, noThreshold, limits).analysis;
    assert.equal(without.diagnostics.filter((d) => d.kind === 'aboveThreshold').length, 0);
    const withThreshold = analyzeJsonText(text, 't.json', options, { maxPerFile: 200, errorThreshold: 0.02 }, limits).analysis;
    const large = withThreshold.diagnostics.filter((d) => d.kind === 'aboveThreshold');
    // scale 1/3: 0.1 → 0 (error 0.1), 0.2 → 1/3 (error 0.133), 0.35 → 1/3 (error 0.0167).
    assert.deepEqual(large.map((d) => at(text, d)), ['0.1', '0.2']);
    assert.ok(large.every((d) => d.severity === 'information'));
    assert.match(large[0].message, /^0\.1 becomes 0 \(code 0\): \|error\| 0\.1 is above the threshold 0\.02\.$/);
  });

  it('reports unreadable JSON as one error at the offending token, with the reader\'s message', function () {
    const text = '[1, 2,\n 3, oops]';
    const { analysis } = analyzeJsonText(text, 'bad.json', p99, noThreshold, limits);
    assert.equal(analysis.tensors.length, 0);
    assert.equal(analysis.diagnostics.length, 1);
    const [d] = analysis.diagnostics;
    assert.equal(d.severity, 'error');
    assert.equal(d.kind, 'format');
    assert.equal(at(text, d), 'oops');
    assert.match(d.message, /bad\.json.*line 2, column 5/);
  });

  it('places a ragged row\'s error where the row is', function () {
    const text = '[[1, 2], [3]]';
    const { analysis } = analyzeJsonText(text, 'ragged.json', p99, noThreshold, limits);
    assert.equal(analysis.diagnostics[0].severity, 'error');
    assert.equal(analysis.diagnostics[0].range.start, text.indexOf('[3]'));
    assert.match(analysis.diagnostics[0].message, /Ragged array/);
  });

  it('summarises each named tensor at its name, and a tensor with nothing to quantize gets an error there', function () {
    const text = '{\n  "w": [1, 2, 3, 40],\n  "b": [NaN, NaN]\n}';
    const { analysis } = analyzeJsonText(text, 'model.json', { bits: 8, range: 'minmax', percentile: 100 }, noThreshold, limits);
    assert.deepEqual(analysis.tensors.map((t) => t.name), ['w', 'b']);
    assert.ok(analysis.tensors[0].quantization);
    assert.equal(analysis.tensors[1].quantization, undefined);
    const top = analysis.diagnostics.find((d) => d.kind === 'summary' && d.range.start === 0);
    assert.ok(top);
    assert.match(top.message, /^8-bit min-max: 1 of 2 tensors quantized, 0 elements clipped in all/);
    const w = analysis.diagnostics.find((d) => d.kind === 'summary' && at(text, d) === '"w"');
    assert.ok(w);
    assert.match(w.message, /^'w': 8-bit min-max: scale/);
    const b = analysis.diagnostics.find((d) => d.kind === 'format');
    assert.ok(b);
    assert.equal(at(text, b), '"b"');
    assert.match(b.message, /no finite value/);
  });

  it('answers a hover with the code, the dequantized value and the error of the number under it', function () {
    const text = '{"shape": [2, 3], "data": [[0, 1, 2], [3, 4, 100]]}';
    const analyzed = analyzeJsonText(text, 'm.json', { bits: 4, range: 'percentile', percentile: 90 }, noThreshold, limits);
    const q = analyzed.analysis.tensors[0].quantization;
    assert.ok(q);
    const offset = text.indexOf('100') + 1;
    const info = inspectJsonElement(analyzed, offset);
    assert.ok(info);
    assert.deepEqual(info.index, [1, 2]);
    assert.equal(info.value, 100);
    assert.equal(info.isClipped, true);
    const params = { ...q, warnings: [] };
    assert.equal(info.code, quantizeValue(100, params));
    assert.equal(info.dequantized, dequantizeCode(info.code, params));
    assert.equal(info.error, 100 - info.dequantized);
    assert.equal(inspectJsonElement(analyzed, text.indexOf('"shape"')), null, 'not on a number of the data');
    assert.equal(inspectJsonElement(analyzed, text.indexOf('[2, 3]') + 1), null, 'the shape is not an element');
  });

  it('unravels flat indices in C order', function () {
    assert.deepEqual(unravelIndex(5, [2, 3]), [1, 2]);
    assert.deepEqual(unravelIndex(0, []), []);
    assert.deepEqual(unravelIndex(7, [2, 2, 2]), [1, 1, 1]);
  });
});
