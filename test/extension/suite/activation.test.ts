import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clipwise, commandIds, npyEditorViewType } from './helpers';

interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  menus?: Record<string, { command: string; when?: string }[]>;
  customEditors?: { viewType: string; selector: { filenamePattern: string }[]; priority?: string }[];
  configuration?: { properties?: Record<string, { default?: unknown }> } | { properties?: Record<string, { default?: unknown }> }[];
}

function contributes(ext: vscode.Extension<unknown>): Contributes {
  return ((ext.packageJSON as { contributes?: Contributes }).contributes ?? {});
}

suite('Clipwise in a real VS Code', () => {
  test('activates in the node extension host of VS Code', async () => {
    const ext = await clipwise();
    assert.equal(ext.isActive, true);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.match(process.version, /^v\d+\./);
    console.log(`    (VS Code ${vscode.version}, ${vscode.env.appName}, Node ${process.version})`);
  });

  test('contributes every command of issue #4 in the "Clipwise" category', async () => {
    const commands = contributes(await clipwise()).commands ?? [];
    for (const id of commandIds) {
      const c = commands.find((x) => x.command === id);
      assert.ok(c, `${id} is contributed`);
      assert.equal(c.category, 'Clipwise', `${id} is in the Clipwise category`);
    }
    assert.equal(commands.find((c) => c.command === 'clipwise.quantizeTensor')?.title, 'Quantize Tensor');
    assert.equal(commands.find((c) => c.command === 'clipwise.findBestPercentile')?.title, 'Find Best Percentile (Grid Search)');
  });

  test('registers every contributed command', async () => {
    const ext = await clipwise();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = (contributes(ext).commands ?? []).map((c) => c.command);
    assert.ok(contributed.length >= commandIds.length, `commands are contributed (${contributed.join(', ')})`);
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  test('offers "Quantize Tensor" in the explorer, editor and editor title context menus', async () => {
    const menus = contributes(await clipwise()).menus ?? {};
    for (const menu of ['explorer/context', 'editor/context', 'editor/title/context']) {
      const entry = (menus[menu] ?? []).find((m) => m.command === 'clipwise.quantizeTensor');
      assert.ok(entry, `${menu} has Quantize Tensor`);
      assert.match(entry.when ?? '', /\.npy|npy/, `${menu}'s when clause names .npy files`);
    }
  });

  test('makes the .npy inspector the default editor of *.npy', async () => {
    const editor = (contributes(await clipwise()).customEditors ?? []).find((e) => e.viewType === npyEditorViewType);
    assert.ok(editor, `${npyEditorViewType} is contributed`);
    assert.ok(editor.selector.some((s) => s.filenamePattern === '*.npy'), 'it selects *.npy');
    assert.notEqual(editor.priority, 'option', 'it is the default editor');
  });

  test('declares the settings of issue #4 with their defaults', async () => {
    const ext = await clipwise();
    const config = vscode.workspace.getConfiguration('clipwise');
    const expected: Record<string, unknown> = {
      bits: 8, range: 'percentile', percentile: 99, grid: '99:100:0.01', objective: 'mse', 'diagnostics.enabled': true,
    };
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(config.inspect(key)?.defaultValue, value, `clipwise.${key} defaults to ${JSON.stringify(value)}`);
    }
    const declared = [contributes(ext).configuration ?? []].flat().flatMap((c) => Object.keys(c.properties ?? {}));
    for (const key of Object.keys(expected).concat('diagnostics.maxPerFile', 'diagnostics.errorThreshold')) {
      assert.ok(declared.includes(`clipwise.${key}`), `clipwise.${key} is declared in package.json`);
    }
  });
});
