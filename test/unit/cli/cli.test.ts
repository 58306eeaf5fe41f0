import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, repoRoot, runClipwise } from '../../helpers/cli';
import { runPython } from '../../helpers/python';

const sample = join(repoRoot, 'samples', 'notebook.npy');

/** The notebook's own search, in numpy: per candidate, the seed's percentile quantization and MSE. */
const numpySearch = `
import sys, json
import numpy as np
x = np.load(sys.argv[1]).astype(np.float64)
def quant(alpha, beta, bits):
    scale = (alpha - beta) / (2**bits - 1)
    zp = -1*np.round(beta / scale)
    q = np.clip(np.round(x/scale + zp), 0, 2**bits - 1)
    return scale, zp, scale * (q - zp)
out = {'curve': []}
s, z, d = quant(np.max(x), np.min(x), 8)
out['minmax'] = {'scale': float(s), 'zeroPoint': float(z), 'mse': float(np.mean((x - d)**2)), 'mseOutlierExcluded': float(np.mean((x[:-1] - d[:-1])**2))}
for i in range(101):
    p = round(99 + i * 0.01, 10)
    s, z, d = quant(np.percentile(x, p), np.percentile(x, 100 - p), 8)
    out['curve'].append({'percentile': p, 'scale': float(s), 'zeroPoint': float(z), 'mse': float(np.mean((x - d)**2)), 'mseOutlierExcluded': float(np.mean((x[:-1] - d[:-1])**2))})
print(json.dumps(out))
`;

function close(a: number, b: number, rel = 1e-12): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}

describe('clipwise CLI', function () {
  let tmp: string;
  beforeEach(() => (tmp = mkdtempSync(join(tmpdir(), 'clipwise-cli-'))));
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('search on the bundled sample gives numpy\'s curve, winner and min-max baseline', function () {
    const r = runClipwise(['search', sample, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout);
    const ref = JSON.parse(runPython(numpySearch, [sample]));
    assert.equal(report.curve.length, 101);
    report.curve.forEach((c: { percentile: number; scale: number; zeroPoint: number; value: number }, i: number) => {
      const n = ref.curve[i];
      assert.equal(c.percentile, n.percentile);
      assert.equal(c.scale, n.scale);
      assert.equal(c.zeroPoint, n.zeroPoint);
      assert.ok(close(c.value, n.mse), `curve ${i}: ${c.value} vs ${n.mse}`);
    });
    let best = ref.curve[0];
    for (const c of ref.curve) if (c.mse < best.mse || (c.mse === best.mse && c.percentile > best.percentile)) best = c;
    assert.equal(report.best.percentile, best.percentile);
    assert.equal(report.minmax.scale, ref.minmax.scale);
    assert.ok(close(report.minmax.metrics.mse, ref.minmax.mse));
    // The notebook's figures: min-max about 0.54, 99th percentile without the outlier about 0.08.
    assert.ok(Math.abs(report.minmax.metrics.mse - 0.54) < 0.03, `min-max MSE ${report.minmax.metrics.mse}`);
    const p99 = ref.curve[0];
    assert.ok(Math.abs(p99.mseOutlierExcluded - 0.08) < 0.02);
    assert.ok(report.bestInliers.metrics.mseInliers < report.minmax.metrics.mseInliers);
  });

  it('quantize --json prints exactly the contract\'s fields and numpy\'s figures', function () {
    const r = runClipwise(['quantize', sample, '--json', '--percentile', '99']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report).sort(), ['clipMax', 'clipMin', 'metrics', 'params', 'qmax', 'qmin', 'scale', 'tensor', 'warnings', 'zeroPoint'].sort());
    assert.deepEqual(Object.keys(report.tensor).sort(), ['count', 'dtype', 'name', 'nonFiniteCount', 'shape', 'stats']);
    assert.deepEqual(Object.keys(report.metrics).sort(), ['clippedCount', 'clippedFraction', 'mae', 'maxAbsError', 'mse', 'mseInliers', 'sqnrDb']);
    assert.deepEqual(report.params, { bits: 8, range: 'percentile', percentile: 99 });
    const ref = JSON.parse(runPython(numpySearch, [sample]));
    assert.equal(report.scale, ref.curve[0].scale);
    assert.equal(report.zeroPoint, ref.curve[0].zeroPoint);
    assert.ok(close(report.metrics.mse, ref.curve[0].mse));
    assert.equal(report.metrics.clippedCount, 20);
  });

  it('readable search shows the winner, the min-max baseline and the best without outliers', function () {
    const r = runClipwise(['search', sample]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /best \(mse\)/);
    assert.match(r.stdout, /min-max baseline/);
    assert.match(r.stdout, /best \(mseInliers\)/);
    assert.match(r.stdout, /Setting outliers aside, percentile/);
  });

  it('--method optimal finds a range no worse than the grid\'s best or min-max, with its equivalent percentiles', function () {
    const grid = JSON.parse(runClipwise(['search', sample, '--json']).stdout);
    const r = runClipwise(['search', sample, '--json', '--method', 'optimal']);
    assert.equal(r.status, 0, r.stderr);
    const optimal = JSON.parse(r.stdout);
    assert.equal(optimal.params.method, 'optimal');
    assert.equal(optimal.best.percentile, null);
    assert.ok(optimal.best.metrics.mse <= grid.best.metrics.mse);
    assert.ok(optimal.best.metrics.mse <= optimal.minmax.metrics.mse);
    assert.ok(optimal.best.lowerPercentile >= 0 && optimal.best.upperPercentile <= 100);
    assert.ok(optimal.curve.length >= 1);
    const last = optimal.curve[optimal.curve.length - 1];
    assert.equal(last.clipMax, optimal.best.clipMax);
  });

  it('--grid nines and --refine evaluate the documented candidates', function () {
    const nines = JSON.parse(runClipwise(['search', sample, '--json', '--grid', 'nines']).stdout);
    assert.equal(nines.params.grid, 'nines');
    // 1000 values resolve no tail finer than one order statistic past 99.9: 99, then 100.
    assert.deepEqual(nines.curve.map((c: { percentile: number }) => c.percentile), [99, 100]);
    const refined = JSON.parse(runClipwise(['search', sample, '--json', '--objective', 'mseInliers', '--refine', '2']).stdout);
    assert.equal(refined.params.refine, 2);
    const ps = refined.curve.map((c: { percentile: number }) => c.percentile);
    assert.ok(ps.length > 101);
    assert.deepEqual(ps, [...ps].sort((a: number, b: number) => a - b));
    const plain = JSON.parse(runClipwise(['search', sample, '--json', '--objective', 'mseInliers']).stdout);
    assert.ok(refined.best.metrics.mseInliers <= plain.best.metrics.mseInliers);
  });

  it('--out writes the codes as a new .npy that numpy reads back equal to its own codes', function () {
    const out = join(tmp, 'codes.npy');
    const r = runClipwise(['quantize', sample, '--bits', '6', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const check = runPython(
      `import sys, numpy as np
x = np.load(sys.argv[1]); c = np.load(sys.argv[2])
a, b = np.percentile(x, 99), np.percentile(x, 1)
s = (a - b) / 63; z = -1*np.round(b / s)
q = np.clip(np.round(x/s + z), 0, 63).astype(np.uint8)
print(c.dtype, c.shape == x.shape, bool((q == c).all()))`,
      [sample, out],
    );
    assert.equal(check.trim(), 'uint8 True True');
  });

  it('quantize --clip applies the best range of --method optimal: its figures again, and numpy\'s codes for it', function () {
    const optimal = JSON.parse(runClipwise(['search', sample, '--json', '--method', 'optimal', '--bits', '6']).stdout);
    const { clipMin, clipMax } = optimal.best;
    assert.ok(clipMin < 0 && clipMax < 580, `a range that clips: [${clipMin}, ${clipMax}]`);
    const out = join(tmp, 'codes.npy');
    // --clip=LO:HI, as a negative LO is written; the numbers exactly as the JSON gives them.
    const r = runClipwise(['quantize', sample, '--bits', '6', `--clip=${clipMin}:${clipMax}`, '--json', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.params, { bits: 6, range: 'clip', percentile: null });
    assert.deepEqual([report.scale, report.zeroPoint, report.clipMin, report.clipMax], [optimal.best.scale, optimal.best.zeroPoint, clipMin, clipMax]);
    for (const key of ['mse', 'mae', 'maxAbsError', 'mseInliers', 'sqnrDb'] as const) assert.ok(close(report.metrics[key], optimal.best.metrics[key]), key);
    assert.equal(report.metrics.clippedCount, optimal.best.metrics.clippedCount);
    const check = runPython(
      `import sys, json, numpy as np
x = np.load(sys.argv[1]); c = np.load(sys.argv[2]); b, a = float(sys.argv[3]), float(sys.argv[4])
s = (a - b) / 63; z = -1*np.round(b / s)
q = np.clip(np.round(x/s + z), 0, 63)
print(json.dumps([s, z, float(np.mean((x - s * (q - z))**2)), bool((q.astype(np.uint8) == c).all())]))`,
      [sample, out, String(clipMin), String(clipMax)],
    );
    const [scale, zp, mse, sameCodes] = JSON.parse(check) as [number, number, number, boolean];
    assert.deepEqual([report.scale, report.zeroPoint], [scale, zp]);
    assert.ok(close(report.metrics.mse, mse), `${report.metrics.mse} vs numpy ${mse}`);
    assert.equal(sameCodes, true, "numpy's codes for the range");
    const readable = runClipwise(['quantize', sample, `--clip=${clipMin}:${clipMax}`]);
    assert.match(readable.stdout, /Asymmetric \(clip range as given\), 8 bits/);
  });

  it('never overwrites: refuses the input file and an existing file, exit 2', function () {
    const before = readFileSync(sample);
    const mtime = statSync(sample).mtimeMs;
    const r1 = runClipwise(['quantize', sample, '--out', sample]);
    assert.equal(r1.status, 2);
    assert.match(r1.stderr, /input file/);
    assert.deepEqual(readFileSync(sample), before);
    assert.equal(statSync(sample).mtimeMs, mtime);
    const existing = join(tmp, 'exists.npy');
    writeFileSync(existing, 'mine');
    const r2 = runClipwise(['quantize', sample, '--out', existing]);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /exists/);
    assert.equal(readFileSync(existing, 'utf8'), 'mine');
  });

  for (const [args, pattern] of [
    [['quantize', 'missing.npy'], /missing\.npy: no such file\./],
    [['quantize', 'SAMPLE', '--bits', '17'], /Bits must be an integer from 2 to 16; got 17\./],
    [['quantize', 'SAMPLE', '--bits', 'many'], /--bits expects a number; got 'many'\./],
    [['quantize', 'SAMPLE', '--percentile', '40'], /Percentile must be greater than 50/],
    [['search', 'SAMPLE', '--grid', '99:100'], /not of the form from:to:step/],
    [['search', 'SAMPLE', '--grid', '40:100:1'], /outside \(50, 100\]/],
    [['search', 'SAMPLE', '--grid', '99:100:0'], /step must be positive/],
    [['search', 'SAMPLE', '--objective', 'rmse'], /--objective must be one of/],
    [['search', 'SAMPLE', '--method', 'magic'], /--method must be grid or optimal/],
    [['search', 'SAMPLE', '--refine', '99'], /Refinement levels must be an integer from 0 to 6/],
    [['quantize', 'SAMPLE', '--grid', 'nines'], /apply to search only/],
    [['frobnicate', 'SAMPLE'], /Unknown command 'frobnicate'/],
    [['quantize', 'SAMPLE', '--tensor', 'nope'], /has no tensor 'nope'/],
    [['quantize', 'SAMPLE', '--wat'], /Unknown option '--wat'/],
    [['quantize', 'SAMPLE', '--clip', '3:1'], /The clip range's lower end must not exceed its upper end; got 3:1\./],
    [['quantize', 'SAMPLE', '--clip', '1:x'], /--clip expects LO:HI, two numbers such as --clip=-3\.9:3\.93; got '1:x'\./],
    [['quantize', 'SAMPLE', '--clip=-1:1e999'], /The clip range's ends must be finite numbers; got -1 and Infinity\./],
    [['quantize', 'SAMPLE', '--clip', '-1:2'], /Option '--clip' argument is ambiguous\. .*use '--clip=-XYZ'/],
    [['quantize', 'SAMPLE', '--clip=-1:2', '--percentile', '99'], /--clip sets the range itself; it does not combine with --range or --percentile\./],
    [['search', 'SAMPLE', '--clip=-1:2'], /--clip applies to quantize only\./],
  ] as const) {
    it(`${args.join(' ')} fails with one clear line and exit 2`, function () {
      const r = runClipwise(args.map((a) => (a === 'SAMPLE' ? sample : a)));
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    });
  }

  it('writes through pipes: all of a long output to a slow reader, nothing and no error to a reader that has gone', function () {
    ensureBuilt();
    const cli = `"${process.execPath}" "${join(repoRoot, 'dist', 'cli.js')}" search "${sample}" --json --grid 60:100:0.005`;
    const whole = Buffer.byteLength(runClipwise(['search', sample, '--json', '--grid', '60:100:0.005']).stdout);
    assert.ok(whole > 1 << 20, `${whole} bytes: more than a pipe holds`);
    // The reader starts late, so the writer fills the pipe and waits; then it takes every byte.
    const slow = spawnSync('bash', ['-c', `${cli} | (sleep 0.3; wc -c); exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.equal(slow.status, 0, slow.stderr);
    assert.equal(Number(slow.stdout.trim()), whole);
    // The reader is gone before the output is written (EPIPE): the search still ends well, silently.
    const gone = spawnSync('bash', ['-c', `${cli} | true; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    assert.equal(gone.status, 0, gone.stderr);
    assert.equal(gone.stderr, '');
  });

  it('--version prints the package\'s version, and --help the usage, which lists it', function () {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const r = runClipwise(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `clipwise ${version}\n`);
    assert.equal(r.stderr, '');
    const help = runClipwise(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage:/);
    assert.match(help.stdout, /--version/);
  });

  it('a directory is refused without a stack trace', function () {
    const r = runClipwise(['info', tmp]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `clipwise: ${tmp}: is a directory, not a tensor file.\n`);
    assert.ok(!existsSync(join(tmp, 'x')));
  });
});
