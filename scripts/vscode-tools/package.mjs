// Builds the production bundles and packs them into a .vsix with @vscode/vsce (what .vscodeignore
// lets in: the bundles, media, README, CHANGELOG, LICENSE), then prints its size and checks that no
// source, test, source map or node_modules file slipped in.
//
// README's pictures are not packed: VS Code's extension page and the Marketplace show only https
// images in an extension's README (the page's sanitizer drops relative and data: sources, its CSP is
// img-src https: data:), so a picture inside the .vsix would never be seen. vsce points them at
// where the repository serves docs/images instead: --images-url, or its own guess from a GitHub or
// GitLab `repository` in package.json. Without either they stay relative, and a note says so.
//
// Usage: node scripts/vscode-tools/package.mjs [--out FILE] [--images-url HTTPS_URL]
//   --out          default: clipwise-<version>.vsix
//   --images-url   the https address of the repository's root as raw files, e.g.
//                  https://github.com/OWNER/clipwise/raw/main (docs/images/x.png is appended)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const optionValue = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const outArg = optionValue('--out');
const out = outArg !== undefined ? resolve(outArg) : join(root, `${pkg.name}-${pkg.version}.vsix`);
const imagesUrl = optionValue('--images-url');
if (imagesUrl !== undefined && !/^https:\/\/[^/]/.test(imagesUrl)) {
  console.error(`error: --images-url must be an https address; got '${imagesUrl}'.`);
  process.exit(2);
}
/** vsce makes README's relative links absolute on its own for these hosts (guessBaseUrls in @vscode/vsce). */
const repositoryUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url ?? '';
const isGuessedByVsce = /github(\.com\/|:)|gitlab(\.com\/|:)/.test(repositoryUrl);

/** Files no .vsix should carry. */
const forbidden = /^(src|test|webview|scripts|samples|bench|out)\/|(^|\/)node_modules\/|\.map$|\.ts$|\.vsix$/;

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

run(process.execPath, ['scripts/build.mjs', '--production']);
for (const file of ['dist/extension.js', 'dist/worker.js', 'dist/searchHelper.js', 'dist/webview/main.js']) {
  if (!existsSync(join(root, file))) console.log(`note: ${file} is missing; the package will not work without it`);
}
const args = ['package', '--no-dependencies', '--out', out];
if (imagesUrl !== undefined) args.push('--baseImagesUrl', imagesUrl);
else if (!isGuessedByVsce) args.push('--no-rewrite-relative-links');
if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(root, f)))) {
  console.log('note: no LICENSE file; packaging without one');
  args.push('--skip-license');
}
run(join(root, 'node_modules', '.bin', 'vsce'), args);

const vsix = unzipSync(new Uint8Array(readFileSync(out)), { filter: (f) => f.name === 'extension/readme.md' });
const files = listEntries(out).filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
const bad = files.filter((f) => forbidden.test(f));
const kb = (statSync(out).size / 1024).toFixed(1);
console.log(`${relative(process.cwd(), out) || out}: ${kb} KB, ${files.length} files: ${files.join(', ')}`);
if (bad.length > 0) {
  console.error(`error: the package carries files it should not: ${bad.join(', ')} (see .vscodeignore)`);
  process.exit(1);
}
const readme = new TextDecoder().decode(vsix['extension/readme.md'] ?? new Uint8Array());
const images = imageSources(readme);
const unseen = images.filter((src) => !/^https:\/\//i.test(src));
console.log(`README pictures: ${images.join(', ') || 'none'}`);
if (unseen.length > 0 && (imagesUrl !== undefined || isGuessedByVsce)) {
  console.error(`error: README pictures left without an https address: ${unseen.join(', ')}`);
  process.exit(1);
}
if (unseen.length > 0) {
  console.log(`note: VS Code's extension page and the Marketplace show only https pictures; ${unseen.length} of README's will not show. ` +
    'Give --images-url (where the repository serves docs/images) or a GitHub repository in package.json.');
}

/** The names of a zip's entries, read without inflating any. */
function listEntries(file) {
  const names = [];
  unzipSync(new Uint8Array(readFileSync(file)), { filter: (f) => { names.push(f.name); return false; } });
  return names;
}

/** The sources of a Markdown text's pictures: ![alt](src "title") and <img src="...">. */
function imageSources(markdown) {
  const fromMarkdown = [...markdown.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)/g)].map((m) => m[1]);
  const fromHtml = [...markdown.matchAll(/<img\b[^>]*\bsrc=["']([^"']+)["']/gi)].map((m) => m[1]);
  return [...fromMarkdown, ...fromHtml];
}
