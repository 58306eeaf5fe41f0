import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { codeCacheFile, compileWithCodeCache } from '../../../src/host/codeCache';
import { ensureBuilt, repoRoot } from '../../helpers/cli';

describe('a bundle run through its code cache', function () {
  let dir: string;
  let runs = 0;
  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'clipwise-code-cache-'));
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** A CommonJS bundle that uses what Node's loader gives a module, and enough functions for a cache to hold. */
  function bundleSource(factor: number): string {
    const functions = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${factor} + ${i}; }`).join('\n');
    return `"use strict";\n${functions}\nconst { basename } = require('node:path');\nlet sum = 0;\nfor (let i = 0; i < 50; i++) sum += eval('f' + i)(i);\nmodule.exports = { sum, file: basename(__filename), dir: __dirname, line: new Error().stack.split('\\n')[1], imported: import('node:path') };\n`;
  }

  /**
   * Runs `source` as a bundle in a folder of its own, with `cache` beside it. A path of its own each
   * time: V8 keeps the scripts it has compiled in memory, and compiling the same source at the same path
   * again would take that, not the cache.
   */
  function runBundle(source: string, cache?: Buffer) {
    const folder = join(dir, `run${runs++}`);
    mkdirSync(folder);
    const file = join(folder, 'bundle.js');
    writeFileSync(file, source);
    if (cache) writeFileSync(codeCacheFile(file), cache);
    const bundle = compileWithCodeCache(file);
    const module = { exports: {} } as NodeJS.Module;
    bundle.run(module, require);
    const exports = module.exports as { sum: number; file: string; dir: string; line: string; imported: Promise<{ sep: string }> };
    assert.equal(exports.file, 'bundle.js');
    assert.equal(exports.dir, folder);
    assert.match(exports.line, /bundle\.js:55:/, 'the bundle keeps its line numbers');
    return {
      imported: exports.imported,
      accepted: bundle.cacheAccepted,
      sum: exports.sum,
      save() {
        bundle.saveCache();
        assert.deepEqual(readdirSync(folder).sort(), ['bundle.js', 'bundle.js.v8cache'], 'written atomically: no temporary file left');
        return readFileSync(codeCacheFile(file));
      },
    };
  }

  it('runs without a cache, writes one, and runs the same with it; a cache of another V8, another bundle or cut short is refused and the bundle still runs', async function () {
    const source = bundleSource(3);
    const first = runBundle(source);
    assert.equal(first.accepted, false, 'no cache yet');
    assert.equal(first.sum, 3 * 1225 + 1225);
    assert.equal((await first.imported).sep, sep, 'import() works in the bundle');
    const cache = first.save();

    const cached = runBundle(source, cache);
    assert.equal(cached.accepted, true, 'the cache is used');
    assert.equal(cached.sum, first.sum);

    // The header V8 checks: its version, its flags, the source's length, the payload's length.
    const otherHeader = Buffer.from(cache);
    for (let i = 4; i < 8; i++) otherHeader[i] ^= 0x5a;
    const afterDamage = runBundle(source, otherHeader);
    assert.equal(afterDamage.accepted, false, "another V8's cache is refused");
    assert.equal(afterDamage.sum, first.sum);

    assert.equal(runBundle(source, cache.subarray(0, cache.length - 100)).accepted, false, 'a cache cut short is refused');

    const foreign = runBundle(bundleSource(5).replace('"use strict";', '"use strict"; const more = 1;'), cache);
    assert.equal(foreign.accepted, false, "another bundle's cache is refused");
    assert.equal(foreign.sum, 5 * 1225 + 1225);
  });

  it('the build leaves the CLI bundle a cache this Node accepts', function () {
    this.timeout(120_000);
    ensureBuilt();
    const bundle = join(repoRoot, 'dist', 'cliMain.js');
    assert.ok(existsSync(codeCacheFile(bundle)), 'dist/cliMain.js.v8cache');
    // In a Node of its own (a test here may have changed V8's flags, and V8 refuses a cache made under
    // others), and compiled only: running it would run the CLI.
    const check = `process.stdout.write(String(require(${JSON.stringify(join(repoRoot, 'src/host/codeCache.ts'))}).compileWithCodeCache(${JSON.stringify(bundle)}).cacheAccepted))`;
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', check], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, 'true');
    assert.deepEqual(readdirSync(join(repoRoot, 'dist')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  });
});
