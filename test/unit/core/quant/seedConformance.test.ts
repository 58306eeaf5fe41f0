import { strict as assert } from 'node:assert';
import seedrandom from 'seedrandom';
import { affineParams, quantizeCodes } from '../../../../src/core/quant/affineParams';
import { chooseParams } from '../../../../src/core/quant/clipRange';
import { measureDirect } from '../../../../src/core/quant/metrics';
import { percentileOfSorted } from '../../../../src/core/quant/percentile';
import { PreparedValues } from '../../../../src/core/quant/preparedValues';
import { roundHalfEven } from '../../../../src/core/quant/roundHalfEven';
import { pythonWithNumpy, runPython } from '../../../helpers/python';

/** The seed notebook's functions, verbatim in behaviour, run by numpy on a batch of tensors. */
const seedScript = `
import sys, json, base64
import numpy as np
def clamping(params_arr, lower_bound, upper_bound):
    params_arr[params_arr < lower_bound] = lower_bound
    params_arr[params_arr > upper_bound] = upper_bound
    return params_arr
def asymmetric_quantization(params, bits):
    alpha = np.max(params); beta = np.min(params)
    scale = (alpha - beta) / (2**bits - 1)
    zero_point = -1*np.round(beta / scale)
    quantized = clamping(np.round(params/scale + zero_point), 0, 2**bits - 1).astype(np.int32)
    return quantized, scale, zero_point
def asymmetric_quantization_percentile(params, bits, percentile=99):
    alpha = np.percentile(params, percentile); beta = np.percentile(params, 100 - percentile)
    scale = (alpha - beta) / (2**bits - 1)
    zero_point = -1*np.round(beta / scale)
    quantized = clamping(np.round(params/scale + zero_point), 0, 2**bits - 1).astype(np.int32)
    return quantized, scale, zero_point
def asymmetric_dequantization(params_q, scale, zero_point):
    return scale * (params_q - zero_point)
def quantization_error(params, params_q):
    return np.mean((params - params_q)**2)
out = []
for case in json.load(sys.stdin):
    x = np.frombuffer(base64.b64decode(case['x']), '<f8').copy()
    if case['p'] is None:
        q, s, z = asymmetric_quantization(x, case['bits'])
    else:
        q, s, z = asymmetric_quantization_percentile(x, case['bits'], case['p'])
    mse = quantization_error(x, asymmetric_dequantization(q, s, z))
    pcts = [float(np.percentile(x, p)) for p in case['pcts']]
    out.append({'q': base64.b64encode(q.astype('<i4').tobytes()).decode(), 's': float(s).hex(), 'z': float(z).hex(),
                'mse': float(mse).hex(), 'pcts': [float(v).hex() for v in pcts],
                'round': [float(v).hex() for v in np.round(x)]})
print(json.dumps(out))
`;

interface SeedCase { x: Float64Array; bits: number; p: number | null; pcts: number[] }
interface SeedResult { q: Int32Array; s: number; z: number; mse: number; pcts: number[]; round: number[] }

function fromHex(h: string): number {
  // Python's float.hex: [-]0x1.abcp+3, inf, nan.
  if (h === 'inf') return Infinity;
  if (h === '-inf') return -Infinity;
  if (h === 'nan') return NaN;
  const m = /^(-?)0x([01])\.?([0-9a-f]*)p([+-]\d+)$/.exec(h);
  if (!m) throw new Error(`bad hex float ${h}`);
  const mant = BigInt(`0x${m[2]}${m[3] || '0'}`);
  const value = Number(mant) * 2 ** (Number(m[4]) - 4 * (m[3] || '0').length);
  return m[1] ? -value : value;
}

function runSeed(cases: SeedCase[]): SeedResult[] {
  const payload = cases.map((c) => ({ x: Buffer.from(c.x.buffer, c.x.byteOffset, c.x.byteLength).toString('base64'), bits: c.bits, p: c.p, pcts: c.pcts }));
  const raw = JSON.parse(runPython(seedScript, [], JSON.stringify(payload))) as Array<{ q: string; s: string; z: string; mse: string; pcts: string[]; round: string[] }>;
  return raw.map((r) => {
    const b = Buffer.from(r.q, 'base64');
    return { q: new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), s: fromHex(r.s), z: fromHex(r.z), mse: fromHex(r.mse), pcts: r.pcts.map(fromHex), round: r.round.map(fromHex) };
  });
}

function randomTensor(rng: () => number, n: number, kind: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (kind % 5) {
      case 0: x[i] = -80 + 180 * rng(); break; // the notebook's uniform(-80, 100)
      case 1: x[i] = Math.round((rng() - 0.5) * 20) / 2; break; // many exact halves and duplicates
      case 2: x[i] = Math.tan((rng() - 0.5) * 3); break; // heavy tails
      case 3: x[i] = 2 + rng() * 3; break; // one-sided: the zero point falls outside the codes
      default: x[i] = (rng() < 0.01 ? 500 : 1) * (rng() - 0.3); break; // rare outliers
    }
  }
  return x;
}

describe('the quantization core reproduces the seed notebook in numpy', function () {
  before(function () {
    if (!pythonWithNumpy()) throw new Error('python3 with numpy is required for conformance tests (apt-get install python3-numpy).');
  });

  it('gives the same codes, bit-identical scale and zero point, and the same MSE on 300 random tensors', function () {
    const rng = seedrandom('seed-conformance');
    const cases: SeedCase[] = [];
    for (let k = 0; k < 300; k++) {
      const n = 1 + Math.floor(rng() * 400);
      const bits = 2 + Math.floor(rng() * 15);
      const choice = rng();
      const p = choice < 0.3 ? null : choice < 0.5 ? 99 : Math.round((50.01 + rng() * 49.99) * 100) / 100;
      const pcts = [0, 1, 25, 50, 75, 99, 99.9, 100, Math.round(rng() * 1e6) / 1e4];
      cases.push({ x: randomTensor(rng, n, k), bits, p, pcts });
    }
    // The seed divides by zero on a degenerate range; those cases are covered separately.
    const usable = cases.filter((c) => {
      const prepared = new PreparedValues(c.x, 't');
      const hi = c.p === null ? prepared.max : prepared.percentile(c.p);
      const lo = c.p === null ? prepared.min : prepared.percentile(100 - c.p);
      return hi > lo;
    });
    assert.ok(usable.length > 250);
    const results = runSeed(usable);
    usable.forEach((c, k) => {
      const r = results[k];
      const prepared = new PreparedValues(c.x, 't');
      const params = chooseParams(prepared, c.p === null ? { bits: c.bits, range: 'minmax', percentile: 100 } : { bits: c.bits, range: 'percentile', percentile: c.p });
      assert.ok(Object.is(params.scale, r.s), `case ${k}: scale ${params.scale} vs numpy ${r.s}`);
      assert.ok(params.zeroPoint === r.z, `case ${k}: zero point ${params.zeroPoint} vs numpy ${r.z}`);
      const codes = quantizeCodes(c.x, params);
      for (let i = 0; i < codes.length; i++) assert.equal(codes[i], r.q[i], `case ${k}, element ${i}`);
      const m = measureDirect(prepared.finite, params, prepared.fences());
      assert.ok(Math.abs(m.mse - r.mse) <= 1e-12 * Math.max(Math.abs(r.mse), 1e-300), `case ${k}: mse ${m.mse} vs numpy ${r.mse}`);
      // -0 and +0 sort in either order (numpy and typed arrays differ), so compare as numbers.
      c.pcts.forEach((p, j) => assert.ok(percentileOfSorted(prepared.sorted, p) === r.pcts[j], `case ${k}: percentile ${p}`));
      for (let i = 0; i < c.x.length; i++) assert.ok(roundHalfEven(c.x[i]) === r.round[i], `round(${c.x[i]})`); // equal as numbers: the sign of a zero result may differ
    });
  });

  it('rounds halves to even as numpy.round does', function () {
    assert.equal(roundHalfEven(2.5), 2);
    assert.equal(roundHalfEven(3.5), 4);
    assert.equal(roundHalfEven(-2.5), -2);
    assert.equal(roundHalfEven(0.49999999999999994), 0);
    assert.equal(roundHalfEven(4503599627370495.5), 4503599627370496);
    assert.equal(roundHalfEven(1e300), 1e300);
  });

  it('warns that 0 is not representable when the zero point leaves the codes ([2, 3, 5] at 8 bits)', function () {
    const p = affineParams(2, 5, 8);
    assert.equal(p.zeroPoint, -170);
    assert.match(p.warnings.join(' '), /0 is not representable/);
  });

  it('widens a degenerate range to include 0, and uses scale 1 for all zeros', function () {
    const c = affineParams(3, 3, 8);
    assert.deepEqual([c.clipMin, c.clipMax, c.scale, c.zeroPoint], [0, 3, 3 / 255, -0]);
    assert.match(c.warnings[0], /widened it to \[0, 3\]/);
    const z = affineParams(0, 0, 4);
    assert.deepEqual([z.scale, z.zeroPoint], [1, 0]);
    const prepared = new PreparedValues(new Float64Array([0, 0, 0]), 'zeros');
    const m = measureDirect(prepared.finite, z, prepared.fences());
    assert.equal(m.mse, 0);
    assert.equal(m.sqnrDb, Infinity);
  });
});
