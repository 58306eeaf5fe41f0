import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allTabs, cliQuantize, closeAll, figures, inspectorOf, npyEditorViewType, resetSettings, testApi, until, workspaceFile } from './helpers';

suite('Opening a .npy directly', () => {
  suiteSetup(resetSettings);
  teardown(closeAll);

  test('shows the inspector (the default editor of .npy), with the CLI\'s figures', async () => {
    const uri = workspaceFile('activations.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    const tab = await until(() => allTabs().find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
    assert.ok(tab, 'a custom editor tab for activations.npy');
    assert.equal((tab.input as vscode.TabInputCustom).viewType, npyEditorViewType);
    const editor = await inspectorOf(uri, (s) => s.kind === 'editor' && s.report !== undefined);
    assert.ok(editor, 'the editor shows a report');
    assert.deepEqual(figures(editor.report!), figures(await cliQuantize(uri)));
  });

  test('a corrupt .npy shows the error in the editor, not a broken page', async () => {
    const uri = workspaceFile('corrupt.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    const api = await testApi();
    const editor = await until(() => api.inspectors().find((s) => s.fileUri === uri.toString() && s.failed !== undefined));
    assert.ok(editor, 'the editor was told the file cannot be read');
    assert.match(editor.failed!, /corrupt\.npy is truncated/);
    assert.equal(editor.report, undefined);
  });
});
