// Builds the production bundles and packs them into a .vsix with @vscode/vsce (what .vscodeignore
// lets in: the bundles, media, README and its pictures, CHANGELOG, LICENSE), then prints its size
// and checks that no source, test, source map or node_modules file slipped in.
//
// Usage: node scripts/vscode-tools/package.mjs [--out FILE]     (default: clipwise-<version>.vsix)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, `${pkg.name}-${pkg.version}.vsix`);

/** Files no .vsix should carry. */
const forbidden = /^(src|test|webview|scripts|samples|bench|out)\/|(^|\/)node_modules\/|\.map$|\.ts$|\.vsix$/;

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

run(process.execPath, ['scripts/build.mjs', '--production']);
for (const file of ['dist/extension.js', 'dist/worker.js', 'dist/webview/main.js']) {
  if (!existsSync(join(root, file))) console.log(`note: ${file} is missing; the package will not work without it`);
}
const args = ['package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out];
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)))) {
  console.log('note: no LICENSE file; packaging without one');
  args.push('--skip-license');
}
run(join(root, 'node_modules', '.bin', 'vsce'), args);

const files = listEntries(out).filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
const bad = files.filter((f) => forbidden.test(f));
const kb = (statSync(out).size / 1024).toFixed(1);
console.log(`${relative(process.cwd(), out) || out}: ${kb} KB, ${files.length} files: ${files.join(', ')}`);
if (bad.length > 0) {
  console.error(`error: the package carries files it should not: ${bad.join(', ')} (see .vscodeignore)`);
  process.exit(1);
}

/** The names of a zip's entries, read without inflating any. */
function listEntries(file) {
  const names = [];
  unzipSync(new Uint8Array(readFileSync(file)), { filter: (f) => { names.push(f.name); return false; } });
  return names;
}
