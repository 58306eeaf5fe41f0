import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { FromWebview, PanelSettings, WebviewState } from '../../src/protocol/webview';
import type { QuantizeReport, SearchReport } from '../../src/core/report/reportTypes';
import { InspectorPage, PageServer, startInspectorSuite, type ThemeKind } from './inspectorPage';
import { defaultSettings, millionTensor, ReportMaker } from './notebookReports';

/**
 * Screenshots go to test-results/ (ignored) on every run; CLIPWISE_UPDATE_SCREENSHOTS=1 writes the
 * committed ones in test/webview/screenshots/ instead, so a test run leaves the tree clean.
 */
const screenshotDir = process.env.CLIPWISE_UPDATE_SCREENSHOTS === '1' ? join(__dirname, 'screenshots') : join(__dirname, '..', '..', 'test-results', 'webview');

/** The grid box's accessible name: it names both forms the core reads. */
const gridLabel = 'Grid (from:to:step or nines)';

/** Parses a figure as the page shows it ("1,234.5", "35.42 dB", "0.2%", "∞ dB"). */
function shownNumber(text: string): number {
  const t = text.replace(/,/g, '').replace(/−/g, '-').replace(/ dB$/, '').replace(/%$/, '').trim();
  return t === '∞' ? Infinity : Number(t);
}

/** True when a shown figure is the exact value to the 6 significant digits the page prints. */
function closeTo(shown: number, exact: number): boolean {
  if (shown === exact) return true;
  return Math.abs(shown - exact) <= 5e-6 * Math.max(Math.abs(exact), 1e-300);
}

function lastOf<T extends FromWebview['type']>(posted: FromWebview[], type: T): Extract<FromWebview, { type: T }> {
  const found = [...posted].reverse().find((m) => m.type === type);
  assert.ok(found, `no '${type}' message among ${JSON.stringify(posted.map((m) => m.type))}`);
  return found as Extract<FromWebview, { type: T }>;
}

describe('inspector webview in Chromium', function () {
  this.timeout(30000);
  let browser: Browser;
  let context: BrowserContext;
  let harness: string;
  const server = new PageServer();
  const maker = new ReportMaker();
  let search: SearchReport;
  const pages: InspectorPage[] = [];

  async function open(options: { state?: unknown; theme?: ThemeKind; width?: number; height?: number } = {}): Promise<InspectorPage> {
    const p = await InspectorPage.open(context, server.origin, harness, options);
    pages.push(p);
    return p;
  }

  /** Opens the page, checks that it asked for data, and shows the notebook tensor. */
  async function openShown(
    settings: PanelSettings = defaultSettings,
    extra: Parameters<ReportMaker['show']>[1] = {},
    options: Parameters<typeof open>[0] = {},
    reports: ReportMaker = maker,
  ): Promise<InspectorPage> {
    const p = await open(options);
    const posted = await p.waitForPosted(1);
    assert.deepEqual(posted[0], { type: 'ready' });
    const show = reports.show(settings, extra);
    await p.deliver(show);
    if (show.type === 'show') await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(show.report.scale));
    return p;
  }

  before(async function () {
    this.timeout(60000);
    ({ harness, browser, context } = await startInspectorSuite(server));
    search = await maker.search(defaultSettings);
    mkdirSync(screenshotDir, { recursive: true });
  });

  after(async function () {
    await browser?.close();
    await server.stop();
  });

  afterEach(async function () {
    // Every page, whatever the test did: no CSP violation, no script error.
    for (const p of pages.splice(0)) {
      const violations = await p.probe('cspViolations');
      const errors = p.pageErrors;
      await p.close();
      assert.deepEqual(violations, [], 'securitypolicyviolation events');
      assert.deepEqual(errors, [], 'page errors');
    }
  });

  async function assertFiguresShown(p: InspectorPage, report: QuantizeReport, baseline: QuantizeReport): Promise<void> {
    const rows: Array<[string, (r: QuantizeReport) => number]> = [
      ['scale', (r) => r.scale],
      ['zeroPoint', (r) => r.zeroPoint],
      ['mse', (r) => r.metrics.mse],
      ['mae', (r) => r.metrics.mae],
      ['maxAbsError', (r) => r.metrics.maxAbsError],
      ['sqnrDb', (r) => r.metrics.sqnrDb],
      ['clippedCount', (r) => r.metrics.clippedCount],
      ['clippedShare', (r) => r.metrics.clippedFraction * 100],
      ['mseInliers', (r) => r.metrics.mseInliers],
    ];
    for (const [row, read] of rows) {
      for (const [column, r] of [['current', report], ['baseline', baseline]] as const) {
        const cell = p.page.locator(`#results-table [data-row="${row}"] .${column}`);
        const text = (await cell.textContent()) ?? '';
        const expected = read(r);
        if (row === 'sqnrDb') assert.ok(Math.abs(shownNumber(text) - expected) < 0.005, `${row} ${column}: shown ${text}, report ${expected}`);
        else if (row === 'clippedShare') assert.ok(Math.abs(shownNumber(text) - expected) <= 0.005 * Math.max(expected, 1e-9), `${row} ${column}: shown ${text}, report ${expected}%`);
        else assert.ok(closeTo(shownNumber(text), expected), `${row} ${column}: shown ${text}, report ${expected}`);
        if (row !== 'clippedShare') assert.equal(await cell.getAttribute('data-value'), String(expected), `${row} ${column} exact value`);
      }
    }
    const codeRange = await p.page.locator('#results-table [data-row="codeRange"] .current').textContent();
    assert.equal(codeRange, `${report.qmin} … ${report.qmax.toLocaleString('en-US')}`);
    const clip = ((await p.page.locator('#results-table [data-row="clipRange"] .current').textContent()) ?? '').match(/^\[(.+), (.+)\]$/);
    assert.ok(clip, 'clip range shown as [min, max]');
    assert.ok(closeTo(shownNumber(clip[1] ?? ''), report.clipMin) && closeTo(shownNumber(clip[2] ?? ''), report.clipMax), `clip range ${clip[0]}`);
  }

  it('posts ready, waits for show, then shows the header and results exactly as the report says', async function () {
    const p = await open();
    const posted = await p.waitForPosted(1);
    assert.deepEqual(posted, [{ type: 'ready' }]);
    assert.equal(await p.page.locator('#loading').isVisible(), true, 'a loading line until show arrives');
    assert.equal(await p.page.locator('#results-table').isVisible(), false);

    const show = maker.show(defaultSettings);
    assert.ok(show.type === 'show');
    await p.deliver(show);
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(show.report.scale));
    assert.equal(await p.page.locator('#loading').isVisible(), false);

    assert.equal(await p.page.locator('#file-name').textContent(), 'notebook.npy');
    assert.equal(await p.page.locator('#tensor-name').textContent(), 'params');
    assert.equal(await p.page.locator('#tensor-picker').isVisible(), false, 'no picker for a single tensor');
    const fact = (key: string) => p.page.locator(`[data-fact="${key}"]`);
    const t = show.report.tensor;
    assert.equal(await fact('dtype').textContent(), 'float64');
    assert.equal(await fact('shape').textContent(), '(1000,)');
    assert.equal(await fact('count').textContent(), '1,000');
    assert.equal(await fact('nonFinite').textContent(), '0');
    for (const [key, value] of [['min', t.stats.min], ['max', t.stats.max], ['mean', t.stats.mean], ['std', t.stats.std]] as const) {
      const text = (await fact(key).textContent()) ?? '';
      assert.ok(closeTo(shownNumber(text), value), `${key}: shown ${text}, report ${value}`);
      assert.equal(await fact(key).getAttribute('data-value'), String(value));
    }
    assert.equal(await fact('max').textContent(), '580');
    await assertFiguresShown(p, show.report, show.baseline);
    assert.equal(await p.page.locator('#results-table thead th').nth(1).textContent(), 'P = 99');

    // The rule for P is spelled out on the page, with what the current P means.
    assert.equal(await p.page.locator('#percentile-rule').textContent(), 'Keep values between the (100−P)th and the Pth percentile: (100−P)% clipped at each tail.');
    assert.match((await p.page.locator('#percentile-now').textContent()) ?? '', /between the 1st and the 99th percentile; 1% clipped at each tail, 2% in all/);

    // Without a grid search the curve's place says how to get one.
    assert.equal(await p.page.locator('#chart-curve .chart-empty').isVisible(), true);
    assert.match((await p.page.locator('#chart-curve .chart-empty').textContent()) ?? '', /Run a grid search/);
  });

  it('draws every chart: value histogram with the clip range, error curve, codes with used levels, error distribution', async function () {
    const p = await openShown(defaultSettings, { search });
    await p.settle();
    for (const id of ['chart-values-canvas', 'chart-curve-canvas', 'chart-codes-canvas', 'chart-errors-canvas']) {
      const inked = await p.probe('inkedPixels', id);
      assert.ok(inked > 2000, `${id} drew only ${inked} pixels`);
    }
    const report = maker.quantize(defaultSettings);
    const codes = report.histograms?.codes;
    assert.ok(codes);
    assert.match((await p.page.locator('#chart-codes .chart-note').textContent()) ?? '', new RegExp(`^Used levels ${codes.usedLevels} of 2\\^8 = 256 `));
    const best = search.best.percentile;
    assert.ok(best !== null);
    const curveNote = (await p.page.locator('#chart-curve .chart-note').textContent()) ?? '';
    assert.match(curveNote, new RegExp(`^101 candidates: best P = ${best}, MSE [0-9.]+; current P = 99, MSE`));
    assert.match((await p.page.locator('#chart-curve-canvas').getAttribute('aria-label')) ?? '', /MSE against percentile P from 99 to 100/);
    // The clip lines are drawn in the theme's red (charts-red of Dark Modern, #f14c4c).
    const colors = await p.probe('topColors', 'chart-values-canvas', 12);
    assert.ok(colors.some((c) => c.startsWith('rgba(241, 76, 76,')), `clip lines in charts-red among ${colors.join(' ')}`);

    // Log scale: the toggle redraws the histogram and is kept in the state.
    const before = await p.probe('canvasHash', 'chart-values-canvas');
    await p.page.getByLabel('Log scale', { exact: true }).check();
    await p.settle();
    assert.notEqual(await p.probe('canvasHash', 'chart-values-canvas'), before, 'log scale redrew the histogram');
    assert.equal(((await p.probe('state')) as WebviewState).logScale, true);
  });

  it('sends quantize on every control, and shows only the newest answer', async function () {
    const p = await openShown();
    let posted = await p.posted();

    await p.page.getByLabel('Bits', { exact: true }).selectOption('4');
    posted = await p.waitForPosted(posted.length + 1);
    const q4 = lastOf(posted, 'quantize');
    assert.deepEqual(q4.settings, { ...defaultSettings, bits: 4 });

    await p.page.getByLabel('Range', { exact: true }).selectOption('minmax');
    posted = await p.waitForPosted(posted.length + 1);
    const qmm = lastOf(posted, 'quantize');
    assert.deepEqual(qmm.settings, { ...defaultSettings, bits: 4, range: 'minmax' });
    assert.ok(qmm.requestId > q4.requestId);
    assert.equal(await p.page.locator('#percentile').isDisabled(), true, 'P is not used by min-max');

    // The newer answer shows; the older one, arriving late, is ignored.
    const mm4 = maker.quantize(qmm.settings);
    const base4 = maker.baseline(4);
    await p.deliver({ type: 'quantized', requestId: qmm.requestId, settings: qmm.settings, report: mm4, baseline: base4 });
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(mm4.scale));
    const p4 = maker.quantize(q4.settings);
    await p.deliver({ type: 'quantized', requestId: q4.requestId, settings: q4.settings, report: p4, baseline: base4 });
    await p.settle();
    assert.equal(await p.page.locator('#results-table [data-row="scale"] .current').getAttribute('data-value'), String(mm4.scale), 'stale answer ignored');
    await assertFiguresShown(p, mm4, base4);
    assert.match((await p.page.locator('#chart-codes .chart-note').textContent()) ?? '', /of 2\^4 = 16 /);

    await p.page.getByLabel('Range', { exact: true }).selectOption('percentile');
    posted = await p.waitForPosted(posted.length + 1);
    await p.page.getByLabel('Percentile P', { exact: true }).fill('99.5');
    posted = await p.waitForPosted(posted.length + 1);
    assert.equal(lastOf(posted, 'quantize').settings.percentile, 99.5);

    // The slider moves by keyboard in 0.01 steps.
    await p.page.getByLabel('Percentile P (slider)', { exact: true }).focus();
    await p.page.keyboard.press('ArrowLeft');
    posted = await p.waitForPosted(posted.length + 1);
    assert.equal(lastOf(posted, 'quantize').settings.percentile, 99.49);
    assert.equal(await p.page.getByLabel('Percentile P', { exact: true }).inputValue(), '99.49');

    // A P outside (50, 100] is refused in the page, with the reason, and nothing is sent.
    const count = posted.length;
    await p.page.getByLabel('Percentile P', { exact: true }).fill('40');
    await p.page.waitForTimeout(300);
    assert.equal((await p.posted()).length, count);
    assert.equal(await p.page.getByLabel('Percentile P', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match((await p.page.locator('#percentile-error').textContent()) ?? '', /above 50 and at most 100/);
    await p.page.getByLabel('Percentile P', { exact: true }).fill('99');
    posted = await p.waitForPosted(count + 1);

    // Grid: refused while malformed, sent once valid.
    await p.page.getByLabel(gridLabel, { exact: true }).fill('99:100');
    await p.page.waitForTimeout(300);
    assert.equal((await p.posted()).length, posted.length);
    assert.equal(await p.page.getByLabel(gridLabel, { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.match((await p.page.locator('#grid-help').textContent()) ?? '', /from:to:step/);
    await p.page.getByLabel(gridLabel, { exact: true }).fill('98:100:0.5');
    posted = await p.waitForPosted(posted.length + 1);
    assert.equal(lastOf(posted, 'quantize').settings.grid, '98:100:0.5');
    assert.equal(await p.page.locator('#grid-help').textContent(), '5 candidates');

    await p.page.getByLabel('Objective', { exact: true }).selectOption('sqnrDb');
    posted = await p.waitForPosted(posted.length + 1);
    assert.deepEqual(lastOf(posted, 'quantize').settings, { tensor: 'params', bits: 4, range: 'percentile', percentile: 99, grid: '98:100:0.5', objective: 'sqnrDb' });
  });

  it('throttles a slider drag to about one request per 50 ms, and sends where it stopped', async function () {
    const p = await openShown();
    const before = (await p.posted()).length;
    const slider = p.page.getByLabel('Percentile P (slider)', { exact: true });
    await slider.focus();
    const start = Date.now();
    for (let i = 0; i < 30; i++) await p.page.keyboard.press('ArrowLeft');
    const elapsed = Date.now() - start;
    await p.page.waitForTimeout(150);
    const quantizes = (await p.posted()).slice(before).filter((m): m is Extract<FromWebview, { type: 'quantize' }> => m.type === 'quantize');
    assert.ok(quantizes.length >= 1 && quantizes.length <= Math.ceil(elapsed / 50) + 2, `${quantizes.length} requests for 30 steps in ${elapsed} ms`);
    assert.equal(quantizes[quantizes.length - 1]?.settings.percentile, 98.7);
  });

  it('stays smooth on a million-element tensor: each answer to a slider step is drawn within a few frames', async function () {
    this.timeout(40000);
    const big = new ReportMaker(millionTensor());
    const settings: PanelSettings = { ...defaultSettings, tensor: 'layer1.weight' };
    const p = await openShown(settings, {}, {}, big);
    const slider = p.page.getByLabel('Percentile P (slider)', { exact: true });
    await slider.focus();
    const requests: Array<Extract<FromWebview, { type: 'quantize' }>> = [];
    for (let i = 0; i < 6; i++) {
      const before = (await p.posted()).length;
      await p.page.keyboard.press('ArrowLeft');
      requests.push(lastOf(await p.waitForPosted(before + 1), 'quantize'));
    }
    assert.deepEqual(requests.map((r) => r.settings.percentile), [98.99, 98.98, 98.97, 98.96, 98.95, 98.94]);
    const baseline = big.baseline(8);
    const steps = requests.map((r) => {
      const report = big.quantize(r.settings);
      return { message: { type: 'quantized', requestId: r.requestId, settings: r.settings, report, baseline }, expect: String(report.scale) };
    });
    // Only bins cross the channel, so the page's work does not grow with the tensor.
    assert.ok(JSON.stringify(steps[0]?.message).length < 20000, 'an answer is a few kilobytes');
    const times = await p.probe('timeRenders', '#results-table [data-row="scale"] .current', steps);
    // A loose bound: a loaded 2-core machine drawing in software, where a frame alone is 16 ms.
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? Infinity;
    assert.ok(median < 150, `median ${median.toFixed(0)} ms per answer (${times.map((t) => t.toFixed(0)).join(', ')})`);
    assert.equal(await p.page.locator('[data-fact="count"]').textContent(), '1,000,000');
    assert.equal(await p.page.locator('[data-fact="shape"]').textContent(), '(1000, 1000)');
  });

  it('runs, reports progress of, cancels and finishes a grid search', async function () {
    const p = await openShown();
    let posted = await p.posted();
    const run = p.page.getByRole('button', { name: 'Run grid search' });
    const cancel = p.page.getByRole('button', { name: 'Cancel' });
    assert.equal(await cancel.isDisabled(), true);

    await run.click();
    posted = await p.waitForPosted(posted.length + 1);
    const first = lastOf(posted, 'runSearch');
    assert.deepEqual(first.settings, defaultSettings);
    assert.equal(await run.isDisabled(), true);
    assert.equal(await cancel.isEnabled(), true);
    await p.deliver({ type: 'progress', requestId: first.requestId, fraction: 0.5 });
    await p.waitForAttribute('#search-progress', 'aria-valuetext', '50%');
    assert.equal(await p.page.locator('#search-progress').isVisible(), true);

    await cancel.click();
    posted = await p.waitForPosted(posted.length + 1);
    assert.deepEqual(posted[posted.length - 1], { type: 'cancel', requestId: first.requestId });
    assert.equal(await run.isEnabled(), true);
    assert.equal(await p.page.locator('#search-status').textContent(), 'Search cancelled.');
    // The host's answer to the cancel, and a result that raced it, change nothing.
    await p.deliver({ type: 'failed', requestId: first.requestId, message: 'Cancelled.' });
    const best = maker.quantize({ ...defaultSettings, range: 'bestOfGrid' }, search.best.percentile ?? 100);
    await p.deliver({ type: 'searchResult', requestId: first.requestId, settings: { ...defaultSettings, range: 'bestOfGrid' }, search, report: best, baseline: maker.baseline(8) });
    await p.settle();
    assert.equal(await p.page.locator('#chart-curve .chart-empty').isVisible(), true);
    assert.equal(await p.page.locator('#error-banner').isVisible(), false);

    await run.click();
    posted = await p.waitForPosted(posted.length + 1);
    const second = lastOf(posted, 'runSearch');
    assert.ok(second.requestId > first.requestId);
    const settings: PanelSettings = { ...defaultSettings, range: 'bestOfGrid' };
    await p.deliver({ type: 'searchResult', requestId: second.requestId, settings, search, report: best, baseline: maker.baseline(8) });
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(best.scale));
    assert.equal(await p.page.locator('#chart-curve .chart-empty').isVisible(), false);
    assert.ok((await p.probe('inkedPixels', 'chart-curve-canvas')) > 2000);
    assert.equal(await p.page.getByLabel('Range', { exact: true }).inputValue(), 'bestOfGrid');
    assert.match((await p.page.locator('#percentile-now').textContent()) ?? '', new RegExp(`^The grid picked P = ${search.best.percentile}:`));
    assert.equal(await p.page.locator('#search-status').textContent(), 'Searched 101 percentiles.');
    assert.equal(await run.isEnabled(), true);
    assert.equal(((await p.probe('state')) as WebviewState).settings.range, 'bestOfGrid');

    // A search overtaken by a newer control change: its curve is kept, but the newer choice stays on screen.
    await run.click();
    posted = await p.waitForPosted(posted.length + 1);
    const third = lastOf(posted, 'runSearch');
    await p.page.getByLabel('Range', { exact: true }).selectOption('minmax');
    posted = await p.waitForPosted(posted.length + 1);
    const q = lastOf(posted, 'quantize');
    assert.ok(q.requestId > third.requestId);
    await p.deliver({ type: 'searchResult', requestId: third.requestId, settings, search, report: best, baseline: maker.baseline(8) });
    await p.settle();
    assert.equal(await p.page.getByLabel('Range', { exact: true }).inputValue(), 'minmax');
    assert.equal(((await p.probe('state')) as WebviewState).settings.range, 'minmax');
    const mm = maker.quantize(q.settings);
    await p.deliver({ type: 'quantized', requestId: q.requestId, settings: q.settings, report: mm, baseline: maker.baseline(8) });
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(mm.scale));
  });

  it('takes a nines grid as the CLI does: checked as typed, sent to the host, its search drawn', async function () {
    const p = await openShown();
    let posted = await p.posted();
    const box = p.page.getByLabel(gridLabel, { exact: true });
    await box.fill('Nines');
    posted = await p.waitForPosted(posted.length + 1);
    assert.equal(lastOf(posted, 'quantize').settings.grid, 'Nines');
    assert.equal(await box.getAttribute('aria-invalid'), 'false');
    assert.equal(await p.page.locator('#grid-help').textContent(), '99, 99.9, 99.99, … as far as the tensor resolves, then 100');
    assert.equal(await p.page.getByRole('button', { name: 'Run grid search' }).getAttribute('title'), '');

    await p.page.getByRole('button', { name: 'Run grid search' }).click();
    posted = await p.waitForPosted(posted.length + 1);
    const run = lastOf(posted, 'runSearch');
    assert.deepEqual(run.settings, { ...defaultSettings, grid: 'Nines' });
    const settings: PanelSettings = { ...run.settings, range: 'bestOfGrid' };
    const nines = await maker.search(settings);
    assert.equal(nines.params.grid, 'nines');
    const best = maker.quantize(settings, nines.best.percentile ?? 100);
    await p.deliver({ type: 'searchResult', requestId: run.requestId, settings, search: nines, report: best, baseline: maker.baseline(8) });
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(best.scale));
    const candidates = nines.curve.map((c) => c.percentile);
    assert.deepEqual(candidates, [99, 100], '1000 values resolve no nine past 99');
    assert.equal(await p.page.locator('#search-status').textContent(), `Searched ${candidates.length} percentiles.`);
    assert.match((await p.page.locator('#chart-curve .chart-note').textContent()) ?? '', new RegExp(`^${candidates.length} candidates: best P = ${nines.best.percentile}, MSE `));
    assert.ok((await p.probe('inkedPixels', 'chart-curve-canvas')) > 2000, 'the curve drew');
    assert.equal(((await p.probe('state')) as WebviewState).settings.grid, 'Nines');
  });

  it('draws a nines grid on a log axis of 100 − P, so that each nine has room', async function () {
    this.timeout(40000);
    const big = new ReportMaker(millionTensor());
    const p = await openShown({ ...defaultSettings, tensor: 'layer1.weight' }, {}, {}, big);
    let posted = await p.posted();
    await p.page.getByLabel(gridLabel, { exact: true }).fill('nines');
    posted = await p.waitForPosted(posted.length + 1);
    await p.page.getByRole('button', { name: 'Run grid search' }).click();
    posted = await p.waitForPosted(posted.length + 1);
    const run = lastOf(posted, 'runSearch');
    const settings: PanelSettings = { ...run.settings, range: 'bestOfGrid' };
    const nines = await big.search(settings);
    const candidates = nines.curve.map((c) => c.percentile);
    assert.deepEqual(candidates.slice(0, 4), [99, 99.9, 99.99, 99.999], 'a million values resolve three nines past 99');
    const best = big.quantize(settings, nines.best.percentile ?? 100);
    await p.deliver({ type: 'searchResult', requestId: run.requestId, settings, search: nines, report: best, baseline: big.baseline(8) });
    await p.waitForAttribute('#results-table [data-row="scale"] .current', 'data-value', String(best.scale));
    assert.match((await p.page.locator('#chart-curve-canvas').getAttribute('aria-label')) ?? '', /against percentile P from 99 to 100, log scale of 100 − P; best P = /);
    assert.ok((await p.probe('inkedPixels', 'chart-curve-canvas')) > 2000, 'the curve drew');
  });

  it('exports through the host and says what it did', async function () {
    const p = await openShown();
    let posted = await p.posted();
    const kinds: Array<[string, string]> = [['Codes (.npy)', 'codesNpy'], ['Parameters (JSON)', 'paramsJson'], ['Python snippet', 'pythonSnippet']];
    for (const [name, kind] of kinds) {
      await p.page.getByRole('button', { name }).click();
      posted = await p.waitForPosted(posted.length + 1);
      const m = lastOf(posted, 'export');
      assert.equal(m.kind, kind);
      assert.deepEqual(m.settings, defaultSettings);
    }
    const last = lastOf(posted, 'export');
    await p.deliver({ type: 'exported', requestId: last.requestId, message: 'Copied the Python snippet to the clipboard.' });
    await p.page.waitForFunction(() => true);
    await p.settle();
    assert.equal(await p.page.locator('#export-status').textContent(), 'Copied the Python snippet to the clipboard.');
  });

  it('shows file and tensor names as text, never as markup', async function () {
    const evil = '<img src=x onerror=window.__xss=1>';
    const tensor = { ...maker.tensor, name: evil };
    const evilMaker = new ReportMaker(tensor);
    const settings = { ...defaultSettings, tensor: evil };
    const tensors = [evilMaker.listItem(), { name: '<b>bold</b>', dtype: 'float32' as const, shape: [2, 3], count: 6 }];
    const p = await openShown(settings, { fileName: `<script>window.__xss=2</script>${evil}.npy`, tensors }, {}, evilMaker);
    await p.settle();
    assert.equal(await p.page.locator('#file-name').textContent(), `<script>window.__xss=2</script>${evil}.npy`);
    const picker = p.page.getByLabel('Tensor', { exact: true });
    assert.equal(await picker.isVisible(), true, 'a picker when the file has several tensors');
    assert.equal(await picker.inputValue(), evil);
    assert.deepEqual(await picker.locator('option').allTextContents(), [`${evil} — float64 (1000,)`, '<b>bold</b> — float32 (2, 3)']);
    // Picking another tensor asks for it.
    const count = (await p.posted()).length;
    await picker.selectOption('<b>bold</b>');
    const posted = await p.waitForPosted(count + 1);
    assert.equal(lastOf(posted, 'quantize').settings.tensor, '<b>bold</b>');

    await p.deliver({ type: 'failed', message: `Cannot read ${evil}.` });
    await p.page.locator('#error-banner').waitFor({ state: 'visible' });
    assert.equal(await p.page.locator('#error-text').textContent(), `Cannot read ${evil}.`);
    await p.page.waitForTimeout(100);
    assert.equal(await p.probe('count', 'img, b, script:not([src])'), 0, 'no element made from a name');
    assert.equal(await p.page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss), undefined);
  });

  it('renders a failed load as an error banner in the page', async function () {
    const p = await open();
    await p.waitForPosted(1);
    await p.deliver({ type: 'failed', message: "Unsupported dtype '<c8' in weights.npy; expected a real numeric dtype." });
    await p.page.locator('#error-banner').waitFor({ state: 'visible' });
    assert.equal(await p.page.getByRole('alert').textContent(), "⚠Unsupported dtype '<c8' in weights.npy; expected a real numeric dtype.✕");
    assert.equal(await p.page.locator('#loading').isVisible(), false);
    await p.page.getByRole('button', { name: 'Dismiss error' }).click();
    assert.equal(await p.page.locator('#error-banner').isVisible(), false);

    // A request that fails shows its message; the figures on screen stay.
    await p.deliver(maker.show(defaultSettings));
    await p.page.locator('#results-table').waitFor({ state: 'visible' });
    const before = (await p.posted()).length;
    await p.page.getByLabel('Bits', { exact: true }).selectOption('3');
    const q = lastOf(await p.waitForPosted(before + 1), 'quantize');
    await p.deliver({ type: 'failed', requestId: q.requestId, message: 'Tensor params has no finite values.' });
    await p.page.locator('#error-banner').waitFor({ state: 'visible' });
    assert.equal(await p.page.locator('#error-text').textContent(), 'Tensor params has no finite values.');
    assert.equal(await p.page.locator('#results-table').isVisible(), true);
  });

  it('shows SQNR ∞ when nothing is lost, though JSON carries Infinity as null', async function () {
    const values = Float64Array.from({ length: 256 }, (_, i) => i);
    const exact = new ReportMaker({ name: 'ramp', dtype: 'uint8', shape: [16, 16], count: 256, byteSize: 256, values, warnings: [] });
    const settings: PanelSettings = { ...defaultSettings, tensor: 'ramp', range: 'minmax' };
    const show = exact.show(settings);
    assert.ok(show.type === 'show' && show.report.metrics.sqnrDb === Infinity && show.report.metrics.mse === 0);
    const p = await openShown(settings, {}, {}, exact);
    assert.equal(await p.page.locator('#results-table [data-row="sqnrDb"] .current').textContent(), '∞ dB');
    assert.equal(await p.page.locator('#results-table [data-row="sqnrDb"] .baseline').textContent(), '∞ dB');
    assert.equal(await p.page.locator('#results-table [data-row="mse"] .current').textContent(), '0');
    assert.match((await p.page.locator('#results-table [data-row="sqnrDb"] .change').textContent()) ?? '', /^same/);
    assert.equal(await p.page.locator('[data-fact="shape"]').textContent(), '(16, 16)');
  });

  it('saves its state with setState and restores it on load', async function () {
    const p = await openShown();
    await p.page.getByLabel('Bits', { exact: true }).selectOption('6');
    await p.page.getByLabel('Log scale', { exact: true }).check();
    const saved = (await p.probe('state')) as WebviewState;
    assert.deepEqual(saved, { fileUri: 'file:///work/samples/notebook.npy', settings: { ...defaultSettings, bits: 6 }, logScale: true });

    // A reload (or a hidden panel shown again) starts from that state, before the host answers.
    const q = await open({ state: saved });
    assert.deepEqual(await q.waitForPosted(1), [{ type: 'ready' }]);
    assert.equal(await q.page.getByLabel('Bits', { exact: true }).inputValue(), '6');
    assert.equal(await q.page.getByLabel('Log scale', { exact: true }).isChecked(), true);
    await q.deliver(maker.show(saved.settings));
    await q.page.locator('#results-table').waitFor({ state: 'visible' });
    assert.equal(await q.page.getByLabel('Bits', { exact: true }).inputValue(), '6');
    assert.equal(await q.page.getByLabel('Log scale', { exact: true }).isChecked(), true);
    assert.equal(((await q.probe('state')) as WebviewState).fileUri, 'file:///work/samples/notebook.npy');

    // A state from elsewhere (or an older page) is ignored, not trusted.
    const r = await open({ state: { fileUri: 1, settings: 'x' } });
    await r.waitForPosted(1);
    assert.equal(await r.page.getByLabel('Bits', { exact: true }).inputValue(), '8');
  });

  it('can be used from the keyboard alone: every control is reached by Tab, labelled, and shows focus', async function () {
    const settings = { ...defaultSettings, tensor: 'params' };
    const tensors = [maker.listItem(), { name: 'bias', dtype: 'float32' as const, shape: [16], count: 16 }];
    const p = await openShown(settings, { tensors });
    const seen: string[] = [];
    await p.page.locator('body').focus();
    for (let i = 0; i < 20; i++) {
      await p.page.keyboard.press('Tab');
      const id = await p.probe('activeId');
      if (seen.includes(id)) break;
      seen.push(id);
      if (id !== 'body') {
        const style = await p.probe('focusStyle');
        assert.notEqual(style.outlineStyle, 'none', `${id} shows focus`);
        assert.equal(style.outlineColor, style.focusBorder, `${id} focus uses --vscode-focusBorder`);
      }
    }
    const expected = ['tensor-picker', 'bits', 'range', 'percentile-slider', 'percentile', 'grid', 'objective', 'run-search', 'export-codes', 'export-params', 'export-python', 'log-scale'];
    assert.deepEqual(seen.filter((id) => expected.includes(id)), expected, `tab order ${seen.join(' → ')}`);
    // Each has an accessible name (found by role and name, as a screen reader would).
    for (const [role, name] of [
      ['combobox', 'Tensor'], ['combobox', 'Bits'], ['combobox', 'Range'], ['slider', 'Percentile P (slider)'], ['spinbutton', 'Percentile P'],
      ['textbox', gridLabel], ['combobox', 'Objective'], ['button', 'Run grid search'], ['button', 'Cancel'], ['checkbox', 'Log scale'],
      ['progressbar', 'Grid search progress'],
    ] as const) {
      assert.equal(await p.page.getByRole(role, { name, exact: true, includeHidden: true }).count(), 1, `${role} '${name}'`);
    }
    for (const id of ['chart-values-canvas', 'chart-codes-canvas', 'chart-errors-canvas', 'chart-curve-canvas']) {
      assert.ok(((await p.page.locator(`#${id}`).getAttribute('aria-label')) ?? '').length > 10, `${id} has a text alternative`);
    }
    // Run by Enter on the focused button.
    await p.page.getByRole('button', { name: 'Run grid search' }).focus();
    const count = (await p.posted()).length;
    await p.page.keyboard.press('Enter');
    assert.equal(lastOf(await p.waitForPosted(count + 1), 'runSearch').type, 'runSearch');
    assert.equal(await p.probe('activeId'), 'cancel-search', 'focus moves to Cancel while the search runs');
  });

  it('follows the theme: redraws charts when body class changes, and a screenshot per theme', async function () {
    this.timeout(40000);
    // The notebook's real question: which P is best once the outlier is set aside, seen on log counts.
    const settings: PanelSettings = { ...defaultSettings, range: 'bestOfGrid', objective: 'mseInliers' };
    const inliersSearch = await maker.search(settings);
    const state: WebviewState = { fileUri: 'file:///work/samples/notebook.npy', settings, logScale: true };
    const p = await openShown(settings, { search: inliersSearch }, { theme: 'vscode-light', width: 1280, height: 1000, state });
    assert.equal(await p.page.getByLabel('Log scale', { exact: true }).isChecked(), true);
    await p.settle();
    const hashes = new Map<ThemeKind, number>();
    const shots: Array<[ThemeKind, string]> = [
      ['vscode-light', 'light.png'],
      ['vscode-dark', 'dark.png'],
      ['vscode-high-contrast', 'high-contrast.png'],
      ['vscode-high-contrast-light', 'high-contrast-light.png'],
    ];
    for (const [kind, file] of shots) {
      await p.setTheme(kind);
      await p.settle();
      await p.settle();
      hashes.set(kind, await p.probe('canvasHash', 'chart-values-canvas'));
      await p.page.screenshot({ path: join(screenshotDir, file), fullPage: true });
    }
    assert.equal(new Set(hashes.values()).size, shots.length, 'each theme drew the charts differently');
    // High contrast: solid bars in the theme's charts-blue (#0f4a85 light, #3794ff dark), axes in contrastBorder.
    const hcLight = await p.probe('topColors', 'chart-values-canvas', 6);
    assert.equal(hcLight[0], 'rgba(15, 74, 133, 255)', `solid bars first among ${hcLight.join(' ')}`);
    await p.setTheme('vscode-high-contrast');
    await p.settle();
    await p.settle();
    const hcDark = await p.probe('topColors', 'chart-values-canvas', 40);
    assert.equal(hcDark[0], 'rgba(55, 148, 255, 255)', `solid bars first among ${hcDark.slice(0, 6).join(' ')}`);
    assert.ok(hcDark.includes('rgba(111, 195, 223, 255)'), `contrastBorder among ${hcDark.join(' ')}`);
  });
});
