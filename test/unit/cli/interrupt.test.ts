import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../../src/core/formats/npyWriter';
import { ensureBuilt, repoRoot } from '../../helpers/cli';
import { TensorGenerator } from '../core/search/tensorGenerators';

describe('the clipwise launcher and Ctrl-C', function () {
  this.timeout(60_000);
  let dir = '';
  let big = '';

  before(function () {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'clipwise-interrupt-'));
    big = join(dir, 'big.npy');
    const values = Float32Array.from(new TensorGenerator('interrupt').tensor(3_000_000, 'studentT3').values);
    writeFileSync(big, encodeNpy(values, [values.length], 'float32'));
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as its own executable, through the launcher line (env -S), as npm links it', function () {
    const r = spawnSync(join(repoRoot, 'dist', 'cli.js'), ['info', join(repoRoot, 'samples', 'notebook.npy'), '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).tensors[0].count, 1000);
  });

  it('ends a long search at once on Ctrl-C (SIGINT), its helper thread with it, and prints nothing half-done', async function () {
    // 16 bits, optimal: about 4 s here of sorting and measuring without a turn of the event loop.
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'search', big, '--json', '--bits', '16', '--method', 'optimal'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(child.exitCode, null, 'still searching after 1.5 s');
    const sent = performance.now();
    child.kill('SIGINT');
    const [code, signal] = (await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])))) as [number | null, string | null];
    const ms = performance.now() - sent;
    assert.ok(signal === 'SIGINT' || code === 130, `ended by the interrupt (code ${code}, signal ${signal})`);
    assert.ok(ms < 1000, `ended ${ms.toFixed(0)} ms after Ctrl-C`);
    assert.equal(stdout, '');
  });
});
