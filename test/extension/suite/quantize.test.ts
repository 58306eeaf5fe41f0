import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  allTabs, cliQuantize, closeAll, figures, inspectorOf, resetSettings, setSetting, testApi, until, workspaceFile,
} from './helpers';

suite('Quantize Tensor', () => {
  suiteSetup(resetSettings);
  teardown(closeAll);
  suiteTeardown(resetSettings);

  test('opens a panel whose report equals `clipwise quantize --json` on a .npy (default settings)', async () => {
    const uri = workspaceFile('notebook.npy');
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    const panel = await inspectorOf(uri);
    assert.ok(panel, 'an inspector shows a report for notebook.npy');
    assert.equal(panel.kind, 'panel');
    assert.deepEqual(figures(panel.report!), figures(await cliQuantize(uri)));
    assert.ok(allTabs().some((t) => t.input instanceof vscode.TabInputWebview && t.label.includes('notebook.npy')), 'a webview tab names the file');
  });

  test('follows the settings: clipwise.bits and clipwise.range', async () => {
    const uri = workspaceFile('weights.npy');
    await setSetting('bits', 4);
    await setSetting('range', 'minmax');
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    const panel = await inspectorOf(uri, (s) => s.report?.params.bits === 4);
    assert.ok(panel, 'the panel reports 4 bits');
    assert.deepEqual(figures(panel.report!), figures(await cliQuantize(uri, ['--bits', '4', '--range', 'minmax'])));
    await resetSettings();
  });

  test('follows clipwise.percentile', async () => {
    const uri = workspaceFile('activations.npy');
    await setSetting('percentile', 99.9);
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    const panel = await inspectorOf(uri, (s) => s.report?.params.percentile === 99.9);
    assert.ok(panel, 'the panel reports P = 99.9');
    assert.deepEqual(figures(panel.report!), figures(await cliQuantize(uri, ['--percentile', '99.9'])));
    await resetSettings();
  });

  test('quantizes a JSON tensor as the CLI does', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    const panel = await inspectorOf(uri);
    assert.ok(panel, 'an inspector shows a report for tensor.json');
    assert.deepEqual(figures(panel.report!), figures(await cliQuantize(uri)));
  });

  test('shows the first tensor of a file of named tensors', async () => {
    const uri = workspaceFile('layers.json');
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    const panel = await inspectorOf(uri);
    assert.ok(panel, 'an inspector shows a report for layers.json');
    assert.equal(panel.settings?.tensor, 'conv1.weight');
    assert.deepEqual(figures(panel.report!), figures(await cliQuantize(uri, ['--tensor', 'conv1.weight'])));
  });

  test('uses the active tensor file when run from the palette', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('clipwise.quantizeTensor');
    const panel = await inspectorOf(uri);
    assert.ok(panel, 'the palette command quantized the active file');
  });

  test('a corrupt .npy gives the clear error and no broken panel', async () => {
    const api = await testApi();
    const uri = workspaceFile('corrupt.npy');
    const before = api.notifications().length;
    await Promise.resolve(vscode.commands.executeCommand('clipwise.quantizeTensor', uri)).catch(() => undefined);
    const notice = await until(() => api.notifications().slice(before).find((n) => n.severity === 'error'));
    assert.ok(notice, 'an error notification is shown');
    assert.match(notice.message, /corrupt\.npy/);
    assert.match(notice.message, /truncated: data of shape \(1000,\) float32 needs bytes 128\.\.4128 but the file has 528/);
    const broken = api.inspectors().filter((s) => s.fileUri === uri.toString() && s.failed === undefined);
    assert.deepEqual(broken, [], 'no inspector pretends to show corrupt.npy');
  });
});
