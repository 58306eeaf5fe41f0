import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliArgs } from '../../../src/cli/args';
import { toJson } from '../../../src/cli/jsonOutput';
import { quantizeTensorReport, streamFromBytes } from '../../../src/cli/quantizeAll';
import { openTensorFile } from '../../../src/core/formats/openTensorFile';
import { openFileByteSource } from '../../../src/host/fileByteSource';
import { UsageError } from '../../../src/core/errors';
import { repoRoot, runClipwise } from '../../helpers/cli';
import { runPython } from '../../helpers/python';

const fixtures = join(repoRoot, 'test', 'fixtures');

describe('clipwise quantize --all and --max-tensor-bytes', function () {
  this.timeout(120000);

  it('prints one line per tensor of an .npz, failures in place, and exits 0', function () {
    const r = runClipwise(['quantize', join(fixtures, 'npz/savez_compressed.npz'), '--all', '--range', 'minmax']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'savez_compressed.npz (npz, 11 tensors): asymmetric min-max, 8 bits');
    assert.match(lines[1], /^name +dtype +shape +scale +zero point +MSE +SQNR dB +max \|error\| +clipped +non-finite$/);
    assert.equal(lines.length, 2 + 11);
    assert.match(lines[2], /^weight +float32 +\(4, 5\) +\S+ +\S+ +\S+ +\S+ +\S+ +0 +0$/);
    assert.match(lines[4], /^half +float16 +\(10,\) .* 3$/);
    assert.match(lines[10], /^empty +float32 +\(0, 3\) +error: Tensor 'empty' is empty; there is nothing to quantize\.$/);
  });

  it('gives a JSON array of reports equal to quantizing each tensor alone, against numpy', function () {
    const file = join(fixtures, 'safetensors/dtypes.safetensors');
    const r = runClipwise(['quantize', file, '--all', '--json', '--bits', '4', '--range', 'minmax']);
    assert.equal(r.status, 0, r.stderr);
    const entries = JSON.parse(r.stdout) as Array<{ tensor: { name: string }; scale?: number; zeroPoint?: number; metrics?: { mse: number }; error?: string }>;
    assert.equal(entries.length, 18);
    const one = runClipwise(['quantize', file, '--tensor', 'model.embed.weight', '--json', '--bits', '4', '--range', 'minmax']);
    assert.deepEqual(entries.find((e) => e.tensor.name === 'model.embed.weight'), JSON.parse(one.stdout));
    assert.equal(entries.find((e) => e.tensor.name === 'empty')!.error, "Tensor 'empty' is empty; there is nothing to quantize.");
    const weight = entries.find((e) => e.tensor.name === 'model.embed.weight')!;
    const script = `
import json, numpy as np, struct, sys
b = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n])
e = h['model.embed.weight']; s, t = e['data_offsets']
x = np.frombuffer(b[8+n+s:8+n+t], '<f4').astype(np.float64)
scale = (x.max() - x.min()) / 15; zp = -np.round(x.min() / scale)
q = np.clip(np.round(x / scale + zp), 0, 15)
print(json.dumps([scale, zp, float(np.mean((x - scale * (q - zp)) ** 2))]))`;
    const [scale, zp, mse] = JSON.parse(runPython(script, [file])) as number[];
    assert.equal(weight.scale, scale);
    assert.equal(weight.zeroPoint, zp);
    assert.ok(Math.abs(weight.metrics!.mse - mse) <= 1e-12 * mse);
  });

  it('refuses a deflated member above --max-tensor-bytes with how to raise it, and reads it once raised', function () {
    const tmp = mkdtempSync(join(tmpdir(), 'clipwise-all-'));
    try {
      const file = join(tmp, 'w.npz');
      runPython("import numpy as np, sys\nnp.savez_compressed(sys.argv[1], w=np.linspace(-1, 1, 1000))", [file]);
      const low = runClipwise(['quantize', file, '--max-tensor-bytes', '4000']);
      assert.equal(low.status, 2);
      assert.equal(
        low.stderr,
        "clipwise: Member 'w.npy' of w.npz inflates to 7.9 KiB, above the limit of 3.9 KiB; raise the limit with --max-tensor-bytes (CLI) or the clipwise.maxTensorBytes setting.\n",
      );
      const raised = runClipwise(['quantize', file, '--max-tensor-bytes', '1MiB', '--json']);
      assert.equal(raised.status, 0, raised.stderr);
      assert.equal(JSON.parse(raised.stdout).tensor.count, 1000);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('streams a tensor above --max-tensor-bytes from a .safetensors file, to the same report', function () {
    const tmp = mkdtempSync(join(tmpdir(), 'clipwise-all-'));
    try {
      const file = join(tmp, 'w.safetensors');
      const values = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i) * (i % 50 === 0 ? 20 : 1));
      const text = JSON.stringify({ w: { dtype: 'F32', shape: [50, 100], data_offsets: [0, 20000] } }).padEnd(64);
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(64n);
      writeFileSync(file, Buffer.concat([length, Buffer.from(text), Buffer.from(values.buffer)]));
      const whole = runClipwise(['quantize', file, '--json', '--range', 'percentile', '--percentile', '99.5']);
      const streamed = runClipwise(['quantize', file, '--json', '--range', 'percentile', '--percentile', '99.5', '--max-tensor-bytes', '1000']);
      assert.equal(streamed.status, 0, streamed.stderr);
      assert.equal(streamed.stdout, whole.stdout);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('parses --max-tensor-bytes with binary suffixes and refuses nonsense', function () {
    assert.equal(parseCliArgs(['info', 'x.npz']).maxTensorBytes, 1024 ** 3);
    assert.equal(parseCliArgs(['info', 'x.npz', '--max-tensor-bytes', '2GiB']).maxTensorBytes, 2 * 1024 ** 3);
    assert.equal(parseCliArgs(['info', 'x.npz', '--max-tensor-bytes', '123']).maxTensorBytes, 123);
    for (const bad of ['0', '-5', '1.5GiB', '2GB', 'lots']) {
      assert.throws(() => parseCliArgs(['info', 'x.npz', `--max-tensor-bytes=${bad}`]), (e: unknown) =>
        e instanceof UsageError && e.message === `--max-tensor-bytes expects a positive byte count such as 2147483648 or 2GiB; got '${bad}'.`);
    }
  });

  it('accepts --all for quantize only, and not with --tensor or --out', function () {
    assert.equal(parseCliArgs(['quantize', 'x.npz', '--all']).all, true);
    assert.throws(() => parseCliArgs(['search', 'x.npz', '--all']), /--all applies to quantize only\./);
    assert.throws(() => parseCliArgs(['quantize', 'x.npz', '--all', '--tensor', 'w']), /does not combine with --tensor or --out/);
    assert.throws(() => parseCliArgs(['quantize', 'x.npz', '--all', '--out', 'c.npy']), /does not combine with --tensor or --out/);
  });
  it('keeps a large float32 tensor in its radix buckets, from .npy or .npz: the report of a whole read, and numpy\'s figures', async function () {
    const tmp = mkdtempSync(join(tmpdir(), 'clipwise-all-'));
    try {
      // 1.2 million float32 values written by numpy, with NaN and far outliers: above the million from
      // which a quantize streams into buckets; the Fortran-ordered copy cannot stream and is read whole.
      const file = join(tmp, 'w.npy');
      const fortran = join(tmp, 'f.npy');
      const script = `
import json, numpy as np, sys
rng = np.random.default_rng(4)
x = rng.standard_t(3, 1_200_000).astype(np.float32); x[::997] = np.nan; x[5] = 300
np.save(sys.argv[1], x); np.save(sys.argv[2], np.asfortranarray(x.reshape(1200, 1000))); np.savez_compressed(sys.argv[3], w=x)
v = x[np.isfinite(x)].astype(np.float64)
lo, hi = np.percentile(v, 0.5), np.percentile(v, 99.5)
scale = (hi - lo) / 255; zp = -np.round(lo / scale)
q = np.clip(np.round(v / scale + zp), 0, 255)
print(json.dumps([scale, zp, float(np.mean((v - scale * (q - zp)) ** 2))]))`;
      const npz = join(tmp, 'w.npz');
      const [scale, zp, mse] = JSON.parse(runPython(script, [file, fortran, npz])) as number[];
      const args = ['--json', '--percentile', '99.5'];
      const bucketed = JSON.parse(runClipwise(['quantize', file, ...args]).stdout);
      const whole = JSON.parse(runClipwise(['quantize', fortran, ...args]).stdout);
      assert.equal(bucketed.scale, scale);
      assert.equal(bucketed.zeroPoint, zp);
      assert.ok(Math.abs(bucketed.metrics.mse - mse) <= 1e-12 * mse, `${bucketed.metrics.mse} vs numpy ${mse}`);
      const { metrics: m, tensor: t, ...rest } = bucketed;
      const { metrics: wm, tensor: wt, ...wholeRest } = whole;
      assert.deepEqual(rest, wholeRest);
      assert.deepEqual([t.count, t.nonFiniteCount, t.stats.min, t.stats.max], [wt.count, wt.nonFiniteCount, wt.stats.min, wt.stats.max]);
      for (const key of ['mean', 'std'] as const) assert.ok(Math.abs(t.stats[key] - wt.stats[key]) <= 1e-12 * Math.abs(wt.stats[key]), key);
      assert.deepEqual([m.maxAbsError, m.clippedCount], [wm.maxAbsError, wm.clippedCount]);
      for (const key of ['mse', 'mae', 'mseInliers'] as const) assert.ok(Math.abs(m[key] - wm[key]) <= 1e-12 * wm[key], key);
      // The same report without ever reading the tensor whole.
      const opened = await openTensorFile(await openFileByteSource(file, { synchronous: true }));
      const streamedOnly = { ...opened, read: () => Promise.reject(new Error('read whole')) };
      const options = { bits: 8, range: 'percentile' as const, percentile: 99.5 };
      const report = await quantizeTensorReport(streamedOnly, 'w', options, { histogramBins: 0 }, { maxTensorBytes: 2 ** 30 }, {});
      assert.equal(toJson(report), toJson(bucketed));
      // A deflated .npz member too, in its buckets: neither read whole nor streamed as float64.
      const member = await openTensorFile(await openFileByteSource(npz, { synchronous: true }));
      assert.ok(member.readChunks, 'an .npz can stream as float64');
      const bucketsOnly = { ...member, read: () => Promise.reject(new Error('read whole')), readChunks: () => assert.fail('streamed as float64') };
      const fromNpz = await quantizeTensorReport(bucketsOnly, 'w', options, { histogramBins: 0 }, { maxTensorBytes: 2 ** 30 }, {});
      assert.equal(toJson(fromNpz), toJson(bucketed));

      // Above the size from which any other tensor streams (64 MiB as float64): still in its buckets.
      const large = join(tmp, 'large.npz');
      const largeScript = `
import json, numpy as np, sys
x = np.random.default_rng(5).laplace(0, 1, 8_500_000).astype(np.float32); x[7] = 90
np.savez(sys.argv[1], big=x)
v = x.astype(np.float64)
lo, hi = np.percentile(v, 0.5), np.percentile(v, 99.5)
scale = (hi - lo) / 255; zp = -np.round(lo / scale)
q = np.clip(np.round(v / scale + zp), 0, 255)
print(json.dumps([scale, zp, float(np.mean((v - scale * (q - zp)) ** 2))]))`;
      const [bigScale, bigZp, bigMse] = JSON.parse(runPython(largeScript, [large])) as number[];
      const largeFile = await openTensorFile(await openFileByteSource(large, { synchronous: true }));
      assert.ok(8_500_000 * 8 >= streamFromBytes);
      const largeBucketsOnly = { ...largeFile, read: () => Promise.reject(new Error('read whole')), readChunks: () => assert.fail('streamed as float64') };
      const fromLarge = await quantizeTensorReport(largeBucketsOnly, 'big', options, { histogramBins: 0 }, { maxTensorBytes: 2 ** 30 }, {});
      assert.deepEqual([fromLarge.scale, fromLarge.zeroPoint], [bigScale, bigZp]);
      assert.ok(Math.abs(fromLarge.metrics.mse - bigMse) <= 1e-12 * bigMse, `${fromLarge.metrics.mse} vs numpy ${bigMse}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
