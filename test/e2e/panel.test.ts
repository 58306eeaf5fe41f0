import { strict as assert } from 'node:assert';
import { Inspector } from './pageObjects/inspector';
import { cliQuantize, session } from './session';

describe('Inspector panel controls', function () {
  before(async function () {
    this.timeout(300_000);
    await session();
  });

  beforeEach(async () => (await session()).workbench.closeAllEditors());

  it('shows the CLI\'s figures for the bits and percentile chosen in the panel', async () => {
    const s = await session();
    await s.workbench.runExplorerMenu('notebook.npy', 'Quantize Tensor');
    const panel = new Inspector(s.workbench.webview());
    await panel.ready();
    const file = s.file('notebook.npy');

    await panel.setBits(4);
    const four = await cliQuantize(file, ['--bits', '4']);
    await panel.waitForFigure('scale', four.scale);
    assert.equal(await panel.figure('mse'), String(four.metrics.mse));

    await panel.setPercentile(99.5);
    const both = await cliQuantize(file, ['--bits', '4', '--percentile', '99.5']);
    await panel.waitForFigure('scale', both.scale);
    assert.equal(await panel.figure('zeroPoint'), String(both.zeroPoint));
    assert.equal(await panel.figure('mse'), String(both.metrics.mse));

    await panel.setRange('minmax');
    const minmax = await cliQuantize(file, ['--bits', '4', '--range', 'minmax']);
    await panel.waitForFigure('scale', minmax.scale);
    assert.equal(await panel.figure('mse'), String(minmax.metrics.mse));
  });

  it('cancels a long grid search started from the panel', async () => {
    const s = await session();
    await s.workbench.runExplorerMenu('long-tail.npy', 'Quantize Tensor');
    const panel = new Inspector(s.workbench.webview());
    await panel.ready();
    await panel.runSearch('90:100:0.0002');
    const cancel = panel.frame.locator('#cancel-search');
    await cancel.waitFor({ state: 'visible' });
    await panel.frame.locator('#cancel-search:not([disabled])').waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const started = Date.now();
    await cancel.click();
    await panel.frame.locator('#run-search:not([disabled])').waitFor({ timeout: 10_000 });
    const status = (await panel.frame.locator('#search-status').innerText()).trim();
    assert.match(status, /cancel/i, `the status says the search was cancelled: "${status}"`);
    assert.ok(Date.now() - started < 5000, 'it stopped within seconds');
    assert.equal(await panel.frame.locator('#chart-curve .chart-empty').isVisible(), true, 'no curve from a cancelled search');
  });
});
