// Bundles every entry point that exists: the extension, its worker, the CLI, the bench and the webview.
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const nodeEntries = [
  { in: 'src/extension/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'src/extension/worker/workerMain.ts', out: 'worker' },
  { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  { in: 'bench/main.ts', out: 'bench' },
];

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
if (watch) console.log('watch mode is not supported; rerun npm run build');
