import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SearchReport } from '../../../src/core/report/reportTypes';
import { cliSearch, closeAll, freshCopy, panelTabs, resetSettings, runAcceptingPrompts, setSetting, until, workspaceFile } from './helpers';

/** The parts of a search two runs must agree on. */
function searchFigures(s: SearchReport): Record<string, unknown> {
  return { tensor: s.tensor.name, params: s.params, best: s.best, minmax: s.minmax, bestInliers: s.bestInliers, curve: s.curve };
}

const search = (uri: vscode.Uri, tensor?: string, options?: { bits?: number; grid?: string; objective?: string }) =>
  vscode.commands.executeCommand<SearchReport | undefined>('clipwise.findBestPercentile', uri, tensor, options);

suite('Find Best Percentile (Grid Search)', () => {
  suiteSetup(resetSettings);
  teardown(closeAll);
  suiteTeardown(resetSettings);

  test('equals `clipwise search --json` and opens the panel on the result', async () => {
    const uri = workspaceFile('notebook.npy');
    const result = await search(uri, undefined, { bits: 8, grid: '99:100:0.05', objective: 'mseInliers' });
    assert.ok(result, 'the command resolves with the search');
    assert.deepEqual(searchFigures(result), searchFigures(await cliSearch(uri, ['--grid', '99:100:0.05', '--objective', 'mseInliers'])));
    assert.ok(await until(() => panelTabs('notebook.npy').length === 1), 'a panel names the file');
  });

  test('asks with the configured defaults pre-filled (accepting them searches with the settings)', async () => {
    const uri = freshCopy('weights.npy');
    await setSetting('bits', 6);
    await setSetting('grid', '99.5:100:0.1');
    await setSetting('objective', 'mae');
    const result = await runAcceptingPrompts<SearchReport | undefined>('clipwise.findBestPercentile', uri);
    assert.ok(result, 'the search ran');
    const { bits, grid, objective } = result.params;
    assert.deepEqual({ bits, grid, objective }, { bits: 6, grid: { from: 99.5, to: 100, step: 0.1 }, objective: 'mae' });
    assert.deepEqual(searchFigures(result), searchFigures(await cliSearch(uri, ['--bits', '6', '--grid', '99.5:100:0.1', '--objective', 'mae'])));
  });

  test('takes a nines grid from the settings through the prompts, as `clipwise search --grid nines`', async () => {
    await resetSettings();
    const uri = freshCopy('weights.npy');
    await setSetting('grid', 'nines');
    const result = await runAcceptingPrompts<SearchReport | undefined>('clipwise.findBestPercentile', uri);
    assert.ok(result, 'the search ran');
    assert.equal(result.params.grid, 'nines');
    assert.deepEqual(searchFigures(result), searchFigures(await cliSearch(uri, ['--grid', 'nines'])));
  });

  test('on a file of several tensors, asks which one (accepting the first)', async () => {
    const uri = workspaceFile('layers.json');
    const result = await runAcceptingPrompts<SearchReport | undefined>('clipwise.findBestPercentile', uri, undefined, { bits: 8, grid: '99:100:0.5', objective: 'mse' });
    assert.ok(result, 'the search ran');
    assert.equal(result.tensor.name, 'conv1.weight');
    assert.deepEqual(searchFigures(result), searchFigures(await cliSearch(uri, ['--tensor', 'conv1.weight', '--grid', '99:100:0.5'])));
  });

  test('a dismissed prompt runs nothing', async () => {
    const uri = freshCopy('notebook.npy');
    const run = vscode.commands.executeCommand<SearchReport | undefined>('clipwise.findBestPercentile', uri);
    await new Promise((r) => setTimeout(r, 800));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await run, undefined);
    assert.deepEqual(panelTabs('notebook-').map((t) => t.label), []);
  });
});

suite('Settings', () => {
  teardown(async () => {
    await resetSettings();
    await closeAll();
  });

  test('a change of clipwise.bits reaches the next command without a reload', async () => {
    for (const bits of [3, 12]) {
      await setSetting('bits', bits);
      const result = await vscode.commands.executeCommand<{ report: { params: { bits: number } } } | undefined>('clipwise.quantizeTensor', freshCopy('notebook.npy'));
      assert.equal(result?.report.params.bits, bits);
    }
  });

  test('an invalid value falls back to the default', async () => {
    await setSetting('bits', 99);
    const result = await vscode.commands.executeCommand<{ report: { params: { bits: number } } } | undefined>('clipwise.quantizeTensor', freshCopy('notebook.npy'));
    assert.equal(result?.report.params.bits, 8);
  });
});
