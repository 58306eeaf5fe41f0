import { strict as assert } from 'node:assert';
import { Inspector } from './pageObjects/inspector';
import { cliQuantize, session } from './session';

describe('Opening a .npy directly', function () {
  before(async function () {
    this.timeout(300_000);
    await session();
  });

  beforeEach(async () => (await session()).workbench.closeAllEditors());

  it('shows the inspector, not binary text', async () => {
    const s = await session();
    await s.workbench.openFromExplorer('activations.npy');
    const editor = new Inspector(s.workbench.webview());
    await editor.ready();
    const cli = await cliQuantize(s.file('activations.npy'));
    assert.equal(await editor.figure('scale'), String(cli.scale));
    assert.equal(await editor.figure('mse'), String(cli.metrics.mse));
    assert.equal(await s.page.locator('.editor-group-container .monaco-editor .view-lines').count(), 0, 'no text editor on the .npy');
    const status = s.page.locator('.statusbar-item', { hasText: 'float16 (8, 128)' }).first();
    await status.waitFor({ timeout: 15_000 });
    assert.match(await status.innerText(), /MSE/, 'the status bar shows dtype, shape and MSE');
  });

  it('a corrupt .npy shows the clear error, not a broken page', async () => {
    const s = await session();
    await s.workbench.openFromExplorer('corrupt.npy');
    const editor = new Inspector(s.workbench.webview());
    await editor.errorText().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await editor.errorText().innerText(), /corrupt\.npy is truncated: data of shape \(1000,\) float32 needs bytes 128\.\.4128 but the file has 528/);
    assert.equal(await editor.frame.locator('#results-table').isVisible(), false, 'no results for a file that cannot be read');
  });
});
