// Bundles every entry point that exists: the extension, its worker, the CLI, the bench and the webview;
// then writes the CLI bundle's code cache.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

/** Node's flags on the launcher line; the code cache is written under the same (V8 refuses a cache made under other flags). */
const cliNodeFlags = ['--no-concurrent-recompilation'];

const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/extension/worker/workerMain.ts', out: 'worker' },
  // Minified whatever the build: a CLI run parses the whole bundle at start-up, and the minified one
  // starts 20-25 ms sooner here (source maps, beside it, still map --debug's stack traces). The
  // `clipwise` command is the launcher, which runs the bundle through its code cache (saveCliCodeCache).
  { in: 'src/cli/main.ts', out: 'cliMain', minify: true },
  { in: 'src/cli/launcher.ts', out: 'cli', banner: cliShebang(), minify: true },
  { in: 'src/host/searchHelperMain.ts', out: 'searchHelper', minify: true },
  // Started through the CLI's launcher line too, so that its in-process searches run as the CLI's do.
  { in: 'bench/main.ts', out: 'bench', banner: cliShebang() },
];

/**
 * The CLI's launcher line. `env -S` starts Node with two changes to its environment and one flag, at no
 * cost of a second process: glibc's malloc asks for transparent huge pages for large blocks (a tensor's
 * sorted copy: on the virtual machines measured, a fresh 4 KiB page costs ~12 µs to fault in, 40 MB
 * ~120 ms, and the same memory in 2 MiB pages 5-60 ms) and takes every block under 4 MiB from its one
 * heap, grown 16 MiB at a time and never given back below 256 MiB (the typed arrays of a search, each of
 * them fresh mmap'd 4 KiB pages by default: 8 500 page faults in a 10^7-element search against 5 700,
 * and 359 against 324 ms, medians of 25 interleaved runs). Larger blocks stay mapped apart: calloc then
 * need not clear them, so the pages of the bucket copy are first touched by the helper thread that faults
 * them in ahead of the scatter, not cleared on the main thread (measured with the bound at 32 MiB: a pass
 * now and then 60 ms longer). The user's own GLIBC_TUNABLES are kept; Node does
 * not load the NODE_EXTRA_CA_CERTS bundle, which it reads at start-up whenever the variable is set (65 ms
 * here) and the CLI never uses: it opens no connection; and V8 compiles hot code on the thread that runs
 * it (see main.ts; set after start-up instead, the flag leaves V8's background compiler running). npm's
 * Windows shims do not understand this line; there, run `node dist/cli.js` (README, CLI).
 */
function cliShebang() {
  const malloc = ['hugetlb=1', 'mmap_threshold=4194304', 'top_pad=16777216', 'trim_threshold=268435456'].map((t) => `glibc.malloc.${t}`);
  return '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS GLIBC_TUNABLES=${GLIBC_TUNABLES}:' + malloc.join(':') + ` node ${cliNodeFlags.join(' ')}`;
}

/**
 * Writes the CLI bundle's code cache (see src/host/codeCache.ts): runs a search through the launcher,
 * with this Node and the launcher's flags, on a float32 tensor large enough that the search takes every
 * path a large tensor's does (its helper thread's passes included), so that the cache holds the
 * bytecode of every function such a search runs. A Node other than the build's refuses the cache and
 * compiles the bundle as without one.
 */
function saveCliCodeCache() {
  const dir = mkdtempSync(join(tmpdir(), 'clipwise-build-'));
  try {
    const tensor = join(dir, 'warm.npy');
    writeFileSync(tensor, float32Npy(3_000_000));
    const env = { ...process.env, CLIPWISE_SAVE_CODE_CACHE: '1' };
    const run = spawnSync(process.execPath, [...cliNodeFlags, 'dist/cli.js', 'search', tensor, '--json'], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the CLI's code cache run failed (status ${run.status}): ${run.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A .npy file of `count` float32 values, roughly normal with a few outliers, from a fixed xorshift (the same bytes each build). */
function float32Npy(count) {
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + count + ',), }';
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  const values = new Float32Array(count);
  let state = 0x9e3779b9;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let i = 0; i < count; i++) values[i] = i % 1000 === 0 ? 300 + 300 * uniform() : (uniform() + uniform() + uniform() + uniform() - 2) * 50;
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer)]);
}

mkdirSync('dist', { recursive: true });
// V8 checks a code cache against the length of the source only: a cache left from the last build beside
// a new bundle of the same length would run the old bytecode. The build removes it first, and writes
// the new one once the new bundle is in place, so that the two never disagree (a failed build leaves none).
rmSync('dist/cliMain.js.v8cache', { force: true });
const jobs = [];
for (const e of nodeEntries) {
  if (!existsSync(e.in)) continue;
  jobs.push(build({
    ...common,
    entryPoints: [e.in],
    outfile: `dist/${e.out}.js`,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: e.external ?? [],
    banner: e.banner ? { js: e.banner } : undefined,
    minify: e.minify ?? common.minify,
  }));
}
if (existsSync('webview/main.ts')) {
  jobs.push(build({
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
  }));
}
await Promise.all(jobs);
// Runnable as it is, through its launcher line, as npm makes a package's bin.
for (const e of nodeEntries) if (e.banner && existsSync(`dist/${e.out}.js`)) chmodSync(`dist/${e.out}.js`, 0o755);
if (existsSync('dist/cli.js')) saveCliCodeCache();
if (watch) console.log('watch mode is not supported; rerun npm run build');
