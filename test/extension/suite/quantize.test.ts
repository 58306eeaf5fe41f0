import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  allTabs, assertSameFigures, cliQuantize, closeAll, freshCopy, panelTabs, quantizeTensor, resetSettings, setSetting, sleep, until, workspaceFile,
} from './helpers';

suite('Quantize Tensor', () => {
  suiteSetup(resetSettings);
  teardown(async () => {
    await closeAll();
    await resetSettings();
  });

  test('on a .npy: the panel is given `clipwise quantize --json`\'s report (default settings)', async () => {
    const uri = workspaceFile('notebook.npy');
    const result = await quantizeTensor(uri);
    assert.ok(result, 'the command resolves with the report shown');
    assertSameFigures(result.report, await cliQuantize(uri));
    assertSameFigures(result.baseline, await cliQuantize(uri, ['--range', 'minmax']), 'the min-max baseline');
    assert.ok(await until(() => panelTabs('notebook.npy').length === 1), 'one panel tab names the file');
  });

  test('a second run on the same file reuses its panel', async () => {
    const uri = workspaceFile('notebook.npy');
    await quantizeTensor(uri);
    await quantizeTensor(uri);
    await sleep(300);
    assert.equal(panelTabs('notebook.npy').length, 1);
  });

  test('follows clipwise.bits and clipwise.range', async () => {
    const uri = freshCopy('weights.npy');
    await setSetting('bits', 4);
    await setSetting('range', 'minmax');
    const result = await quantizeTensor(uri);
    assert.ok(result);
    assertSameFigures(result.report, await cliQuantize(uri, ['--bits', '4', '--range', 'minmax']));
  });

  test('follows clipwise.percentile', async () => {
    const uri = freshCopy('activations.npy');
    await setSetting('percentile', 99.9);
    const result = await quantizeTensor(uri);
    assert.ok(result);
    assertSameFigures(result.report, await cliQuantize(uri, ['--percentile', '99.9']));
  });

  test('on a JSON tensor, as the CLI', async () => {
    const uri = workspaceFile('tensor.json');
    const result = await quantizeTensor(uri);
    assert.ok(result);
    assertSameFigures(result.report, await cliQuantize(uri));
  });

  test('on a file of named tensors, the tensor asked for', async () => {
    const uri = workspaceFile('layers.json');
    for (const tensor of ['conv1.weight', 'conv1.bias']) {
      const result = await quantizeTensor(uri, tensor);
      assert.ok(result, tensor);
      assertSameFigures(result.report, await cliQuantize(uri, ['--tensor', tensor]));
    }
  });

  test('from the palette, on the active tensor file (the tensor under the cursor)', async () => {
    const uri = workspaceFile('layers.json');
    const editor = await vscode.window.showTextDocument(uri);
    const at = editor.document.positionAt(editor.document.getText().indexOf('0.0274'));
    editor.selection = new vscode.Selection(at, at);
    const result = await vscode.commands.executeCommand<{ report: { tensor: { name: string } } } | undefined>('clipwise.quantizeTensor');
    assert.equal(result?.report.tensor.name, 'conv1.bias');
  });

  test('a corrupt .npy: no report and no panel', async () => {
    const uri = workspaceFile('corrupt.npy');
    const result = await quantizeTensor(uri);
    assert.equal(result, undefined);
    await sleep(500);
    assert.deepEqual(panelTabs('corrupt.npy').map((t) => t.label), []);
    assert.ok(!allTabs().some((t) => t.input instanceof vscode.TabInputWebview), 'no panel at all');
  });

  test('unrelated JSON (package.json): no report and no panel', async () => {
    const result = await quantizeTensor(workspaceFile('package.json'));
    assert.equal(result, undefined);
    await sleep(500);
    assert.ok(!allTabs().some((t) => t.input instanceof vscode.TabInputWebview), 'no panel');
  });
});
