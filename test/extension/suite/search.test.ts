import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SearchReport } from '../../../src/core/report/reportTypes';
import { cliSearch, closeAll, inspectorOf, resetSettings, runAcceptingPrompts, setSetting, workspaceFile } from './helpers';

/** The parts of a search two runs must agree on. */
function searchFigures(s: SearchReport): Record<string, unknown> {
  return { tensor: s.tensor.name, params: s.params, best: s.best, minmax: s.minmax, curve: s.curve };
}

suite('Find Best Percentile (Grid Search)', () => {
  suiteSetup(resetSettings);
  teardown(closeAll);
  suiteTeardown(resetSettings);

  test('asks with the configured defaults and shows the CLI\'s search in the panel', async () => {
    const uri = workspaceFile('notebook.npy');
    await setSetting('grid', '99:100:0.05');
    await setSetting('objective', 'mseInliers');
    await runAcceptingPrompts('clipwise.findBestPercentile', uri);
    const panel = await inspectorOf(uri, (s) => s.search !== undefined);
    assert.ok(panel?.search, 'the panel shows a grid search');
    const cli = await cliSearch(uri, ['--grid', '99:100:0.05', '--objective', 'mseInliers']);
    assert.deepEqual(searchFigures(panel.search), searchFigures(cli));
    assert.equal(panel.report?.params.percentile, cli.best.percentile, 'the panel shows the report at the best percentile');
  });

  test('searches at the configured bits', async () => {
    const uri = workspaceFile('weights.npy');
    await setSetting('bits', 6);
    await setSetting('grid', '99.5:100:0.1');
    await runAcceptingPrompts('clipwise.findBestPercentile', uri);
    const panel = await inspectorOf(uri, (s) => s.search?.params.bits === 6);
    assert.ok(panel?.search, 'the panel shows a 6-bit search');
    assert.deepEqual(searchFigures(panel.search), searchFigures(await cliSearch(uri, ['--bits', '6', '--grid', '99.5:100:0.1'])));
  });

  test('picks the first tensor of a file of several when the pick is accepted', async () => {
    const uri = workspaceFile('layers.json');
    await setSetting('grid', '99:100:0.5');
    await runAcceptingPrompts('clipwise.findBestPercentile', uri);
    const panel = await inspectorOf(uri, (s) => s.search !== undefined);
    assert.ok(panel?.search, 'the panel shows a search');
    assert.equal(panel.search.tensor.name, 'conv1.weight');
    assert.deepEqual(searchFigures(panel.search), searchFigures(await cliSearch(uri, ['--tensor', 'conv1.weight', '--grid', '99:100:0.5'])));
  });
});

suite('Settings', () => {
  teardown(resetSettings);

  test('a change of clipwise.bits reaches a new panel without a reload', async () => {
    const uri = workspaceFile('notebook.npy');
    for (const bits of [3, 12]) {
      await setSetting('bits', bits);
      await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
      const panel = await inspectorOf(uri, (s) => s.report?.params.bits === bits);
      assert.ok(panel, `a panel at ${bits} bits`);
      await closeAll();
    }
  });
});
