import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allTabs, closeAll, npyEditorViewType, resetSettings, sleep, until, workspaceFile } from './helpers';

/** The custom editor tab of a file, once it is open. */
function customTab(uri: vscode.Uri): Promise<vscode.Tab | undefined> {
  return until(() => allTabs().find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
}

suite('Opening a .npy directly', () => {
  suiteSetup(resetSettings);
  teardown(closeAll);

  test('opens the inspector, the default editor of .npy, not a text editor', async () => {
    const uri = workspaceFile('activations.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await customTab(uri);
    assert.ok(tab, 'a custom editor tab for activations.npy');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, npyEditorViewType);
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), false, 'no text document of the .npy');
  });

  test('the palette\'s Quantize Tensor works on the open .npy editor', async () => {
    const uri = workspaceFile('weights.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    assert.ok(await customTab(uri));
    await sleep(500);
    const result = await vscode.commands.executeCommand<{ report: { tensor: { shape: number[] } } } | undefined>('clipwise.quantizeTensor');
    assert.deepEqual(result?.report.tensor.shape, [64, 48]);
  });

  test('a corrupt .npy opens in the inspector (which shows the error) without breaking the window', async () => {
    const uri = workspaceFile('corrupt.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    assert.ok(await customTab(uri), 'the editor opened');
    await vscode.commands.executeCommand('vscode.open', workspaceFile('notebook.npy'));
    assert.ok(await customTab(workspaceFile('notebook.npy')), 'another .npy opens after it');
  });
});
