import '../installVscodeStub';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { SettingsSource } from '../../../../src/extension/config/settingsSource';
import { JsonTensorFiles } from '../../../../src/extension/diagnostics/jsonTensorFiles';
import { JsonTensorCodeLens, JsonTensorHover } from '../../../../src/extension/diagnostics/jsonLanguageFeatures';
import { registerLog } from '../../../../src/extension/log';
import { PanelChoices } from '../../../../src/extension/panel/panelChoices';
import { WorkerClient } from '../../../../src/extension/workerClient';
import { repoRoot } from '../../../helpers/cli';
import { FakeTextDocument, registered, Uri, workspaceEvents } from '../vscodeStub';

interface StubDiagnostic { range: { start: { line: number; character: number }; end: { line: number; character: number } }; message: string; severity: number; source: string; code: string }

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('JSON tensor files: diagnostics, context key, hover and CodeLens over the real worker', function () {
  this.timeout(60_000);
  let dir: string;
  let worker: WorkerClient;
  let files: JsonTensorFiles;
  const folder = '/ws';
  const memento = new Map<string, unknown>();
  const choices = new PanelChoices({ get: (k: string, d: unknown) => memento.get(k) ?? d, update: async (k: string, v: unknown) => void memento.set(k, v) } as never);
  const diagnosticsOf = (doc: FakeTextDocument) => (registered.diagnostics.get('clipwise')?.get(doc.uri.toString()) ?? []) as StubDiagnostic[];

  before(async function () {
    registerLog({ subscriptions: [] } as never);
    dir = mkdtempSync(join(tmpdir(), 'clipwise-json-'));
    const script = join(dir, 'worker.js');
    await build({ entryPoints: [join(repoRoot, 'src/extension/worker/workerMain.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: script, logLevel: 'warning' });
    worker = new WorkerClient(script, 'json test');
    workspaceEvents.folder = folder;
    const settings = new SettingsSource();
    files = new JsonTensorFiles(worker, () => settings.get(), choices, settings.onDidChange);
  });

  after(function () {
    files?.dispose();
    worker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks the outlier of an open JSON tensor, lists the file for the menus, and follows edits', async function () {
    const text = '[\n  1.5, 2.25, -3,\n  4, 5.5, 600\n]\n';
    const doc = new FakeTextDocument(Uri.file(`${folder}/weights.json`), text);
    workspaceEvents.open.fire(doc);
    await until(() => diagnosticsOf(doc).length > 0);
    const diagnostics = diagnosticsOf(doc);
    const summary = diagnostics.find((d) => d.code === 'summary');
    assert.ok(summary);
    assert.deepEqual([summary.range.start.line, summary.range.start.character], [0, 0]);
    assert.equal(summary.source, 'Clipwise');
    const clipped = diagnostics.filter((d) => d.code === 'clipped');
    assert.ok(clipped.length > 0);
    const outlier = clipped.find((d) => d.message.startsWith('600 '));
    assert.ok(outlier, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.deepEqual([outlier.range.start, outlier.range.end].map((p) => [p.line, p.character]), [[2, 10], [2, 13]]);
    assert.equal(outlier.severity, 1, 'a warning');
    assert.deepEqual(registered.contexts.get('clipwise.jsonTensorFiles'), [`${folder}/weights.json`]);

    const lenses = new JsonTensorCodeLens(files).provideCodeLenses(doc as never);
    assert.deepEqual(lenses.map((l) => (l.command as { title: string }).title), ['Quantize Tensor', 'Find Best Percentile']);
    assert.deepEqual((lenses[0].command as { arguments: unknown[] }).arguments, [doc.uri, 'weights']);

    const hover = await new JsonTensorHover(files).provideHover(doc as never, doc.positionAt(text.indexOf('600') + 1) as never, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) } as never);
    assert.ok(hover);
    const md = (hover.contents as unknown as { value: string }).value;
    assert.match(md, /`weights\[5\]` · 8-bit/);
    assert.match(md, /\| 600 \| 255 \| [\d.]+ \| [\d.]+ \|/);
    assert.match(md, /Clipped/);

    doc.setText('[\n  1, 2, 3\n]\n');
    workspaceEvents.change.fire({ document: doc, contentChanges: [{}] });
    await until(() => files.analysisOf(doc as never)?.version === 2);
    // P99 of [1, 2, 3] keeps [1.02, 2.98]: both ends are clipped now, and 600 is gone.
    assert.deepEqual(diagnosticsOf(doc).filter((d) => d.code === 'clipped').map((d) => [d.message.split(' ')[0], d.range.start.line, d.range.start.character]), [['1', 1, 2], ['3', 1, 8]]);

    doc.setText('[\n  1, 2,, 3\n]\n');
    workspaceEvents.change.fire({ document: doc, contentChanges: [{}] });
    await until(() => diagnosticsOf(doc).some((d) => d.code === 'format'));
    const [error] = diagnosticsOf(doc);
    assert.equal(error.severity, 0);
    assert.deepEqual([error.range.start.line, error.range.start.character], [1, 7]);
    assert.match(error.message, /weights\.json at line 2, column 8/);

    doc.isClosed = true;
    workspaceEvents.close.fire(doc);
    assert.deepEqual(diagnosticsOf(doc), []);
    assert.deepEqual(registered.contexts.get('clipwise.jsonTensorFiles'), []);
  });

  it('quantizes with the panel\'s last choice for the file', async function () {
    const doc = new FakeTextDocument(Uri.file(`${folder}/chosen.json`), '[0, 1, 2, 3, 100]');
    choices.set(doc.uri as never, { settings: { tensor: 'chosen', bits: 4, range: 'minmax', percentile: 99, grid: '99:100:0.01', objective: 'mse' } });
    workspaceEvents.open.fire(doc);
    await until(() => diagnosticsOf(doc).length > 0);
    assert.match(diagnosticsOf(doc)[0].message, /^4-bit min-max: /);
    workspaceEvents.close.fire(doc);
  });

  it('finds the tensor under the cursor, analysing a just-opened file first', async function () {
    const text = '{\n  "w": [1, 2, 3],\n  "b": [0.5, 0.25]\n}';
    const doc = new FakeTextDocument(Uri.file(`${folder}/layers.json`), text);
    workspaceEvents.open.fire(doc);
    assert.equal(await files.tensorAt(doc as never, text.indexOf('0.25')), 'b');
    assert.equal(await files.tensorAt(doc as never, text.indexOf('"w"') + 1), 'w');
    assert.equal(await files.tensorAt(doc as never, 0), undefined);
    workspaceEvents.close.fire(doc);
  });

  it('never looks at files outside the workspace, package.json, or JSON that is not a tensor', async function () {
    const outside = new FakeTextDocument(Uri.file('/home/u/.config/Code/User/settings.json'), '[1, 2, 3]');
    const pkg = new FakeTextDocument(Uri.file(`${folder}/package.json`), '[1, 2, 3]');
    const config = new FakeTextDocument(Uri.file(`${folder}/config.json`), '{"name": "x"}');
    const named = new FakeTextDocument(Uri.file(`${folder}/bad.tensor.json`), '{"name": "x"}');
    for (const d of [outside, pkg, config, named]) workspaceEvents.open.fire(d);
    await until(() => diagnosticsOf(named).length > 0);
    assert.equal(diagnosticsOf(named)[0].code, 'format', 'a *.tensor.json is a tensor file whatever it holds');
    for (const d of [outside, pkg, config]) assert.deepEqual(diagnosticsOf(d), [], d.uri.path);
    assert.deepEqual(registered.contexts.get('clipwise.jsonTensorFiles'), [`${folder}/bad.tensor.json`]);
    workspaceEvents.close.fire(named);
  });
});
