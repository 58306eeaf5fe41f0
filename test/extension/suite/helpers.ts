/** Shared helpers of the suites that run inside the extension host. */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { QuantizeReport, SearchReport } from '../../../src/core/report/reportTypes';

/** The project's root: the bundles run from out/test/extension. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Clipwise's id: publisher.name of package.json. */
export const extensionId = 'clipwise.clipwise';

/** The commands issue #4 names, as contributed in package.json. */
export const commandIds = [
  'clipwise.quantizeTensor',
  'clipwise.findBestPercentile',
  'clipwise.exportCodes',
  'clipwise.exportParams',
  'clipwise.copyPythonSnippet',
] as const;

/** The custom editor for .npy files. */
export const npyEditorViewType = 'clipwise.npyEditor';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `read` until it returns something truthy, or returns its last value at the deadline. */
export async function until<T>(read: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value || Date.now() > deadline) return value;
    await sleep(everyMs);
  }
}

/** The workspace folder the runner opened (a temp copy of test/fixtures/workspace). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

/** A file of the workspace. */
export function workspaceFile(name: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), name);
}

/** A new empty folder beside the workspace, inside the run's temp folder (deleted with it). */
export function scratchFolder(prefix: string): string {
  const parent = resolve(workspaceRoot().fsPath, '..', 'scratch');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

let copies = 0;

/**
 * A new copy of a workspace file under scratch/: a file the extension has not seen, so no earlier
 * panel choice for it stands in for the settings.
 */
export function freshCopy(name: string): vscode.Uri {
  const dot = name.lastIndexOf('.');
  const target = vscode.Uri.joinPath(workspaceRoot(), 'scratch', `${name.slice(0, dot)}-${++copies}${name.slice(dot)}`);
  mkdirSync(resolve(target.fsPath, '..'), { recursive: true });
  copyFileSync(workspaceFile(name).fsPath, target.fsPath);
  return target;
}

/** What "Quantize Tensor" resolves with: the report the panel shows and its min-max baseline. */
export interface QuantizeResult {
  readonly report: QuantizeReport;
  readonly baseline: QuantizeReport;
}

/** Runs "Quantize Tensor" on a file (and tensor); resolves with what the panel was given. */
export async function quantizeTensor(uri: vscode.Uri, tensor?: string): Promise<QuantizeResult | undefined> {
  return vscode.commands.executeCommand<QuantizeResult | undefined>('clipwise.quantizeTensor', uri, ...(tensor === undefined ? [] : [tensor]));
}

/** The webview tabs (panels) whose label names a file. */
export function panelTabs(fileName: string): vscode.Tab[] {
  return allTabs().filter((t) => t.input instanceof vscode.TabInputWebview && t.label.includes(fileName));
}

/** Clipwise, activated. */
export async function clipwise(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `${extensionId} is loaded in the extension host`);
  await ext.activate();
  return ext;
}

/** Runs the project's CLI (dist/cli.js) with --json and parses its output. */
export async function cliJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args, '--json'], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}

/** `clipwise quantize FILE --json` with the given options. */
export function cliQuantize(file: vscode.Uri, options: readonly string[] = []): Promise<QuantizeReport> {
  return cliJson<QuantizeReport>(['quantize', file.fsPath, ...options]);
}

/** `clipwise search FILE --json` with the given options. */
export function cliSearch(file: vscode.Uri, options: readonly string[] = []): Promise<SearchReport> {
  return cliJson<SearchReport>(['search', file.fsPath, ...options]);
}

/** A value with every -0 made 0: JSON (the CLI's output) cannot tell them apart, and neither can the panel. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  return value;
}

/** The figures a panel shows, picked from a report so two reports compare on what matters; the sums apart (see assertSameFigures). */
function exactFigures(r: QuantizeReport): unknown {
  const { mse, mae, mseInliers, sqnrDb, ...counted } = r.metrics;
  return withoutNegativeZero({
    tensor: r.tensor.name, dtype: r.tensor.dtype, shape: r.tensor.shape, params: r.params,
    scale: r.scale, zeroPoint: r.zeroPoint, qmin: r.qmin, qmax: r.qmax, clipMin: r.clipMin, clipMax: r.clipMax,
    metrics: counted,
  });
}

/**
 * The panel shows the CLI's report: every figure the same, except the sums (mse, mae, mseInliers and
 * sqnrDb), which the worker takes from the tensor's sorted index and the CLI from a pass over the
 * values: the same to the contract's 1e-12 (sqnrDb, a logarithm, to 1e-9 dB).
 */
export function assertSameFigures(panel: QuantizeReport, cli: QuantizeReport, message = 'the report'): void {
  assert.deepEqual(exactFigures(panel), exactFigures(cli), message);
  for (const key of ['mse', 'mae', 'mseInliers'] as const) {
    const a = panel.metrics[key];
    const b = cli.metrics[key];
    assert.ok(a === b || Math.abs(a - b) <= 1e-12 * Math.abs(b), `${message}: ${key} ${a} against the CLI's ${b}`);
  }
  const a = panel.metrics.sqnrDb;
  const b = cli.metrics.sqnrDb;
  assert.ok(a === b || Math.abs(a - b) <= 1e-9, `${message}: sqnrDb ${a} against the CLI's ${b}`);
}

/** Sets a clipwise.* user setting (undefined removes it) and lets the extension see the change. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('clipwise').update(key, value, vscode.ConfigurationTarget.Global);
  await sleep(100);
}

/** Removes every clipwise.* user setting the suites set. */
export async function resetSettings(): Promise<void> {
  for (const key of ['bits', 'range', 'percentile', 'grid', 'objective', 'diagnostics.enabled', 'diagnostics.maxPerFile', 'diagnostics.errorThreshold']) {
    await vscode.workspace.getConfiguration('clipwise').update(key, undefined, vscode.ConfigurationTarget.Global);
  }
  await sleep(100);
}

/** Closes every editor and panel. */
export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Every tab of the window. */
export function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs);
}

/**
 * Runs a command that asks through quick inputs (input boxes, quick picks, the simple file dialog),
 * accepting what each one offers (the configured defaults, the first item, the default path) until
 * the command settles.
 */
export async function runAcceptingPrompts<T>(command: string, ...args: unknown[]): Promise<T> {
  let settled = false;
  const run = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => { settled = true; });
  void (async () => {
    while (!settled) {
      await sleep(400);
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem').then(undefined, () => undefined);
    }
  })();
  return run;
}

/** A file's bytes' hash, size and modification time. */
export function fingerprint(path: string): { sha256: string; size: number; mtimeMs: number } {
  const st = statSync(path);
  return { sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), size: st.size, mtimeMs: st.mtimeMs };
}

/** Where a piece of text starts and ends in a document (its first occurrence after `from`). */
export function rangeOf(doc: vscode.TextDocument, text: string, from = 0): vscode.Range {
  const at = doc.getText().indexOf(text, from);
  assert.ok(at >= 0, `"${text}" is in ${doc.fileName}`);
  return new vscode.Range(doc.positionAt(at), doc.positionAt(at + text.length));
}

/** Clipwise's diagnostics of a file (the source names Clipwise). */
export function clipwiseDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => /clipwise/i.test(d.source ?? ''));
}
