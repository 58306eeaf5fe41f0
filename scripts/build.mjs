// Bundles every entry point that exists: the extension, its worker, the CLI, the bench and the webview.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/extension/worker/workerMain.ts', out: 'worker' },
  // Minified whatever the build: a CLI run parses the whole bundle at start-up, and the minified one
  // starts 20-25 ms sooner here (source maps, beside it, still map --debug's stack traces).
  { in: 'src/cli/main.ts', out: 'cli', banner: cliShebang(), minify: true },
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
  return '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS GLIBC_TUNABLES=${GLIBC_TUNABLES}:' + malloc.join(':') + ' node --no-concurrent-recompilation';
}

mkdirSync('dist', { recursive: true });
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
if (watch) console.log('watch mode is not supported; rerun npm run build');
