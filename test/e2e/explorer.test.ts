import { strict as assert } from 'node:assert';
import { chartIds, Inspector } from './pageObjects/inspector';
import { cliQuantize, session } from './session';

describe('Explorer: right-click a tensor file → Quantize Tensor', function () {
  before(async function () {
    this.timeout(300_000);
    await session();
  });

  beforeEach(async () => (await session()).workbench.closeAllEditors());

  it('opens the panel with the CLI\'s scale, zero point and MSE, and draws its charts', async () => {
    const s = await session();
    await s.workbench.runExplorerMenu('weights.npy', 'Quantize Tensor');
    const panel = new Inspector(s.workbench.webview());
    await panel.ready();
    const cli = await cliQuantize(s.file('weights.npy'));
    assert.equal(await panel.figure('scale'), String(cli.scale), 'scale');
    assert.equal(await panel.figure('zeroPoint'), String(cli.zeroPoint), 'zero point');
    assert.equal(await panel.figure('mse'), String(cli.metrics.mse), 'MSE');
    assert.match((await panel.fileName().innerText()).trim(), /weights\.npy/);
    for (const id of chartIds.filter((c) => c !== 'chart-curve')) {
      assert.ok((await panel.inkedPixels(id)) > 1000, `${id} drew`);
    }
  });

  it('offers Quantize Tensor on .npy files and open JSON tensors, and not on unrelated JSON', async () => {
    const { workbench } = await session();
    // A JSON file counts as a tensor file once open (or when named *.tensor.json): README, "JSON tensor files".
    await workbench.openFromExplorer('package.json');
    await workbench.openFromExplorer('tensor.json');
    for (const file of ['notebook.npy', 'corrupt.npy', 'tensor.json']) {
      assert.ok(await workbench.explorerMenuOffers(file, 'Quantize Tensor'), `offered on ${file}`);
    }
    const onPackageJson = await workbench.explorerMenuEntries('package.json');
    assert.ok(onPackageJson.length > 3, `the menu of package.json opened: ${onPackageJson.join(', ')}`);
    assert.ok(!onPackageJson.some((e) => /Quantize Tensor|Best Percentile/.test(e)), `not offered on package.json: ${onPackageJson.join(', ')}`);
  });

  it('on a corrupt .npy says what is wrong in a notification, and opens no panel', async () => {
    const s = await session();
    await s.workbench.runExplorerMenu('corrupt.npy', 'Quantize Tensor');
    const toast = s.page.locator('.notification-toast', { hasText: 'corrupt.npy' }).first();
    await toast.waitFor({ timeout: 30_000 });
    assert.match(await toast.innerText(), /corrupt\.npy is truncated: data of shape \(1000,\) float32 needs bytes 128\.\.4128 but the file has 528/);
    assert.equal(await s.page.locator('iframe.webview').count(), 0, 'no panel');
    await s.workbench.clearNotifications();
  });
});
