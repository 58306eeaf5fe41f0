import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { repoRoot } from '../helpers/cli';

/** The architecture's import rules (style guide §1): which folder may import what. */
interface Zone {
  readonly folder: string;
  /** Folders (repo-relative) whose modules may be imported. */
  readonly mayImport: readonly string[];
  /** Bare package names allowed; 'node:' covers Node's built-ins. */
  readonly packages: readonly string[];
  readonly typeOnly?: readonly string[];
}

const zones: readonly Zone[] = [
  { folder: 'src/core', mayImport: ['src/core'], packages: ['fflate'] },
  { folder: 'src/protocol', mayImport: ['src/protocol'], packages: [], typeOnly: ['src/core'] },
  { folder: 'src/extension/worker', mayImport: ['src/core', 'src/protocol', 'src/host', 'src/extension/worker'], packages: ['node:'] },
  { folder: 'src/extension', mayImport: ['src/core', 'src/protocol', 'src/host', 'src/extension'], packages: ['vscode', 'node:'] },
  { folder: 'src/host', mayImport: ['src/core', 'src/host'], packages: ['node:'] },
  { folder: 'src/cli', mayImport: ['src/core', 'src/host', 'src/cli'], packages: ['node:'] },
  { folder: 'webview', mayImport: ['webview', 'src/protocol'], packages: ['chart.js', 'vscode-webview'], typeOnly: ['src/core'] },
];

const importPattern = /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Every import of a source text: its specifier and whether it is type-only. */
export function importsOf(text: string): Array<{ spec: string; typeOnly: boolean }> {
  const out: Array<{ spec: string; typeOnly: boolean }> = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[3] ?? m[4] ?? m[5] ?? m[6];
    if (spec) out.push({ spec, typeOnly: Boolean(m[2]) });
  }
  return out;
}

/** The rule an import breaks, or null. `file` is repo-relative with forward slashes. */
export function violation(file: string, spec: string, typeOnly: boolean): string | null {
  const zone = zones.find((z) => file.startsWith(`${z.folder}/`));
  if (!zone) return null;
  if (!spec.startsWith('.')) {
    const ok = zone.packages.some((p) => (p === 'node:' ? spec.startsWith('node:') : spec === p || spec.startsWith(`${p}/`)));
    return ok ? null : `${file} imports package '${spec}', which ${zone.folder} must not use`;
  }
  const target = relative(repoRoot, resolve(repoRoot, dirname(file), spec)).split(sep).join('/');
  const inside = (folder: string) => target === folder || target.startsWith(`${folder}/`);
  // The most specific zone that contains the target decides (src/extension/worker before src/extension).
  const targetZone = [...zones].sort((a, b) => b.folder.length - a.folder.length).find((z) => inside(z.folder))?.folder ?? target;
  if (zone.mayImport.some((f) => inside(f) && (targetZone === f || zone.mayImport.includes(targetZone)))) return null;
  if (typeOnly && zone.typeOnly?.some(inside)) return null;
  return `${file} imports '${spec}' (${targetZone}), which ${zone.folder} must not import${zone.typeOnly?.some(inside) ? ' except as a type' : ''}`;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

describe('layering: the folder list is the architecture', function () {
  it('every import in src/ and webview/ obeys the zone table', function () {
    const problems: string[] = [];
    for (const top of ['src', 'webview']) {
      let files: string[] = [];
      try {
        files = sourceFiles(join(repoRoot, top));
      } catch {
        continue;
      }
      for (const f of files) {
        const rel = relative(repoRoot, f).split(sep).join('/');
        for (const { spec, typeOnly } of importsOf(readFileSync(f, 'utf8'))) {
          const v = violation(rel, spec, typeOnly);
          if (v) problems.push(v);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('bites on deliberate violations', function () {
    assert.match(String(violation('src/core/quant/x.ts', 'vscode', false)), /must not use/);
    assert.match(String(violation('src/core/quant/x.ts', 'node:fs', false)), /must not use/);
    assert.match(String(violation('src/core/quant/x.ts', '../../extension/log', false)), /must not import/);
    assert.match(String(violation('src/cli/run.ts', '../extension/log', false)), /must not import/);
    assert.match(String(violation('src/extension/worker/w.ts', 'vscode', false)), /must not use/);
    assert.match(String(violation('webview/main.ts', '../src/core/quant/metrics', false)), /except as a type/);
    assert.equal(violation('webview/main.ts', '../src/core/quant/metrics', true), null);
    assert.equal(violation('src/protocol/webview.ts', '../core/report/reportTypes', true), null);
    assert.match(String(violation('src/protocol/webview.ts', '../core/report/reportTypes', false)), /except as a type/);
    assert.equal(violation('src/extension/panel/p.ts', '../../core/errors', false), null);
  });
});
