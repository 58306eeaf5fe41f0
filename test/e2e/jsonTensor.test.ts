import { strict as assert } from 'node:assert';
import { cliQuantize, darkTheme, lightTheme, savePicture, session } from './session';

describe('A JSON tensor in the text editor', function () {
  before(async function () {
    this.timeout(300_000);
    await session();
  });

  beforeEach(async () => (await session()).workbench.closeAllEditors());
  afterEach(async () => (await session()).workbench.closePanel());

  it('shows squiggles on clipped values, a hover with code and error, and the CodeLens', async () => {
    const s = await session();
    const { page, workbench } = s;
    await workbench.openFromExplorer('tensor.json');
    const editor = page.locator('.editor-group-container .monaco-editor').first();
    await editor.waitFor();
    const cli = await cliQuantize(s.file('tensor.json'));

    await editor.locator('.squiggly-warning').first().waitFor({ timeout: 30_000 });
    assert.ok((await editor.locator('.squiggly-warning').count()) >= cli.metrics.clippedCount, 'a squiggle on each clipped value');

    // The lenses are drawn on their own schedule, after the diagnostics at times.
    await editor.locator('.codelens-decoration', { hasText: /Quantize Tensor/ }).first().waitFor({ timeout: 30_000 });
    const lenses = (await editor.locator('.codelens-decoration').allInnerTexts()).join(' ');
    assert.match(lenses, /Quantize Tensor/);
    assert.match(lenses, /Find Best Percentile/);

    const outlier = editor.locator('.view-line span span', { hasText: /^9\.75$/ }).first();
    await workbench.parkMouse();
    await outlier.hover();
    const hover = page.locator('.monaco-hover:visible', { hasText: /dequantized/i }).first();
    await hover.waitFor({ timeout: 15_000 });
    const text = await hover.innerText();
    assert.match(text, new RegExp(`\\b${cli.qmax}\\b`), `the hover names the code ${cli.qmax}: ${text}`);
    assert.match(text, /error/i);
    await savePicture(page, 'json-diagnostics-dark.png');
    await s.setTheme(lightTheme);
    await outlier.hover({ position: { x: 2, y: 2 } });
    await hover.waitFor({ timeout: 15_000 });
    await savePicture(page, 'json-diagnostics-light.png');
    await s.setTheme(darkTheme);
  });

  it('lists the clipped values in the Problems panel', async () => {
    const { workbench } = await session();
    await workbench.openFromExplorer('tensor.json');
    const rows = await workbench.problems();
    assert.ok(rows.some((r) => r.includes('9.75')), `a problem names 9.75: ${rows.join(' | ')}`);
  });
});
