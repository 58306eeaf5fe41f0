import { strict as assert } from 'node:assert';
import { formatPercentile } from '../../webview/format';
import { Inspector } from './pageObjects/inspector';
import { cliSearch, darkTheme, lightTheme, savePicture, session } from './session';

/** What to type into each prompt of the grid search, recognised by its words. */
const answers: readonly { readonly when: RegExp; readonly value: string | undefined }[] = [
  { when: /grid|from:to:step/i, value: '99:100:0.05' },
  { when: /bits/i, value: '8' },
  { when: /objective/i, value: 'mseInliers' },
  { when: /tensor/i, value: undefined },
  { when: /file|\.npy/i, value: 'notebook.npy' },
];

describe('Command palette: Find Best Percentile (Grid Search)', function () {
  before(async function () {
    this.timeout(300_000);
    await session();
  });

  it('asks for bits, grid and objective, then shows the curve and the best percentile; pictures for README', async () => {
    const s = await session();
    const { workbench } = s;
    await workbench.closeAllEditors();
    await workbench.openFromExplorer('notebook.npy');
    await new Inspector(workbench.webview()).ready();
    await workbench.runCommand('Clipwise: Find Best Percentile (Grid Search)');
    const asked: string[] = [];
    for (let round = 0; round < 8; round++) {
      const text = await waitForPrompt(s.workbench, asked.length === 0 ? 10_000 : 3000);
      if (text === undefined) break;
      const answer = answers.find((a) => a.when.test(text));
      asked.push(text.replace(/\s+/g, ' ').trim());
      await workbench.answer(answer?.value);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(asked.some((t) => /bits/i.test(t)) && asked.some((t) => /grid/i.test(t)) && asked.some((t) => /objective/i.test(t)),
      `asked for bits, grid and objective: ${JSON.stringify(asked)}`);

    const cli = await cliSearch(s.file('notebook.npy'), ['--grid', '99:100:0.05', '--objective', 'mseInliers']);
    const panel = new Inspector(workbench.webview());
    const note = panel.curveNote();
    await panel.frame.locator('#chart-curve .chart-note', { hasText: 'best P' }).waitFor({ timeout: 60_000 });
    const best = cli.best.percentile === null ? 'no single best percentile' : `best P = ${formatPercentile(cli.best.percentile)}`;
    assert.match(await note.innerText(), new RegExp(`^${cli.curve.length} candidates: ${best.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok((await panel.inkedPixels('chart-curve')) > 2000, 'the curve drew');

    // The pictures give the panel the whole window, as a user reading figures would.
    await workbench.runCommand('View: Toggle Primary Side Bar Visibility');
    await new Promise((r) => setTimeout(r, 1000));
    await savePicture(s.page, 'inspector-dark.png');
    await s.setTheme(lightTheme);
    await new Promise((r) => setTimeout(r, 1500));
    await savePicture(s.page, 'inspector-light.png');
    await s.setTheme(darkTheme);
    await workbench.runCommand('View: Toggle Primary Side Bar Visibility');
  });

  it('cancels a long search from its progress notification, and opens no panel', async () => {
    const { page, workbench } = await session();
    await workbench.closeAllEditors();
    await workbench.runExplorerMenu('long-tail.npy', 'Find Best Percentile (Grid Search)');
    for (const value of ['8', '90:100:0.0002', 'mse']) {
      await workbench.quickInputBox().waitFor({ timeout: 10_000 });
      await workbench.answer(value);
      await new Promise((r) => setTimeout(r, 500));
    }
    const toast = page.locator('.notification-toast', { hasText: 'grid search' }).first();
    await toast.waitFor({ timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1000));
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await toast.waitFor({ state: 'detached', timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await page.locator('iframe.webview').count(), 0, 'no panel for a cancelled search');
  });
});

/** The open quick input's words, once one is open; undefined when none opens within the time. */
async function waitForPrompt(workbench: import('./pageObjects/workbench').Workbench, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await workbench.quickInputText();
    if (text !== undefined && text.trim() !== '') return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}
