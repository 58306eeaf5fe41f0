import { strict as assert } from 'node:assert';
import type { Browser, BrowserContext } from 'playwright-core';
import type { PanelSettings } from '../../src/protocol/webview';
import { InspectorPage, PageServer, startInspectorSuite } from './inspectorPage';
import { defaultSettings, ReportMaker } from './notebookReports';

/** What the page shows of the results table in a viewport: the box it scrolls in, and where each column ends. */
interface TableGeometry {
  readonly boxLeft: number;
  readonly boxRight: number;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly tabIndex: string | null;
  /** Right edges of the header cells, left to right; then of the "change" cells, top to bottom. */
  readonly headerRights: number[];
  readonly changeRights: number[];
}

type LayoutGlobal = { document: { querySelector(q: string): LayoutElement | null; querySelectorAll(q: string): Iterable<LayoutElement> } };
interface LayoutElement {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { left: number; right: number };
}

/**
 * Widths of the page (the webview, not the window): a 1440 px window gives the panel about 1390 px with the
 * side bar closed and 1030-1090 px with it open (activity bar 48 px, side bar 300-360 px); 1001 px is the
 * narrowest that keeps results beside the controls (media/inspector.css), 700 and 400 px a split editor.
 */
const fittingWidths = [1390, 1090, 1030, 1001, 700, 400];

describe('results table layout in Chromium', function () {
  this.timeout(30000);
  let browser: Browser;
  let context: BrowserContext;
  let harness: string;
  let page: InspectorPage;
  const server = new PageServer();
  const maker = new ReportMaker();
  // The README's picture: best of a 0.05 grid without outliers, whose changes are the widest words ("412× higher").
  const settings: PanelSettings = { ...defaultSettings, range: 'bestOfGrid', grid: '99:100:0.05', objective: 'mseInliers' };

  before(async function () {
    this.timeout(60000);
    ({ harness, browser, context } = await startInspectorSuite(server));
    const search = await maker.search(settings);
    page = await InspectorPage.open(context, server.origin, harness, { width: fittingWidths[0] });
    await page.waitForPosted(1);
    const show = maker.show(settings, { search });
    assert.ok(show.type === 'show');
    await page.deliver(show);
    await page.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(show.report.scale));
    assert.match((await page.page.locator('#results-table [data-row="mse"] .change').textContent()) ?? '', /× higher/);
  });

  after(async function () {
    const violations = page ? await page.probe('cspViolations') : [];
    const errors = page?.pageErrors ?? [];
    await browser?.close();
    await server.stop();
    assert.deepEqual(violations, [], 'securitypolicyviolation events');
    assert.deepEqual(errors, [], 'page errors');
  });

  async function geometryAt(width: number): Promise<TableGeometry> {
    await page.page.setViewportSize({ width, height: 900 });
    await page.settle();
    await page.settle();
    // No named functions in here: tsx's keepNames would wrap them in a helper the page does not have.
    return page.page.evaluate(() => {
      const d = (globalThis as unknown as LayoutGlobal).document;
      const box = d.querySelector('.results .table-scroll') ?? d.querySelector('.results');
      if (!box) throw new Error('no results box');
      const rect = box.getBoundingClientRect();
      return {
        boxLeft: rect.left,
        boxRight: rect.left + box.clientWidth,
        scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth,
        tabIndex: box.getAttribute('tabindex'),
        headerRights: [...d.querySelectorAll('#results-table thead th')].map((e) => e.getBoundingClientRect().right),
        changeRights: [...d.querySelectorAll('#results-table tbody .change')].map((e) => e.getBoundingClientRect().right),
      };
    });
  }

  it('shows all four columns without scrolling from a wide panel down to 400 px, the side bar open or not', async function () {
    for (const width of fittingWidths) {
      const g = await geometryAt(width);
      assert.equal(g.headerRights.length, 4, `${width} px: four columns`);
      for (const right of [...g.headerRights, ...g.changeRights]) {
        assert.ok(right <= g.boxRight + 0.5, `${width} px: a cell ends at ${right.toFixed(1)}, past the visible edge ${g.boxRight.toFixed(1)}`);
      }
      assert.ok(g.scrollWidth <= g.clientWidth, `${width} px: the table (${g.scrollWidth} px) fits its box (${g.clientWidth} px)`);
      assert.equal(g.tabIndex, null, `${width} px: nothing to scroll, so no tab stop`);
    }
  });

  it('narrower, scrolls inside its own box, which the keyboard reaches and scrolls to the last column', async function () {
    const g = await geometryAt(320);
    assert.ok(g.scrollWidth > g.clientWidth, 'the table is wider than a 320 px page');
    assert.equal(g.tabIndex, '0', 'a box that scrolls is in the tab order');
    const region = page.page.getByRole('region', { name: 'Results', exact: true });
    assert.equal(await region.count(), 1, 'the box is a region named by the Results heading');
    const lastChange = Math.max(...g.changeRights);
    assert.ok(lastChange > g.boxRight, 'the change column starts out of view');

    await page.page.locator('#export-python').focus();
    await page.page.keyboard.press('Tab');
    assert.equal(await page.probe('activeId'), 'results-scroll', 'Tab after the exports reaches the table');
    const style = await page.probe('focusStyle');
    assert.notEqual(style.outlineStyle, 'none', 'the box shows focus');
    assert.equal(style.outlineColor, style.focusBorder, 'in --vscode-focusBorder');
    // Arrow keys scroll a step at a time (smoothly, in some Chromium builds): keep pressing, a few at a
    // time, until the last column is in view or 60 presses have gone by.
    const fits = (g: TableGeometry) => [g.headerRights[3] ?? Infinity, ...g.changeRights].every((r) => r <= g.boxRight + 0.5);
    let scrolled = await geometryAt(320);
    for (let i = 0; i < 12 && !fits(scrolled); i++) {
      for (let k = 0; k < 5; k++) await page.page.keyboard.press('ArrowRight');
      await page.settle();
      await page.page.waitForTimeout(50);
      scrolled = await geometryAt(320);
    }
    for (const right of [scrolled.headerRights[3] ?? Infinity, ...scrolled.changeRights]) {
      assert.ok(right <= scrolled.boxRight + 0.5, `after scrolling, the change column ends at ${right.toFixed(1)}, inside ${scrolled.boxRight.toFixed(1)}`);
    }

    const wide = await geometryAt(1090);
    assert.equal(wide.tabIndex, null, 'wide again: the tab stop goes');
  });
});
