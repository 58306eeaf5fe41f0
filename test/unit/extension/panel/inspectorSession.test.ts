import '../installVscodeStub';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { memoryByteSource } from '../../../../src/core/byteSource';
import { openTensorFile } from '../../../../src/core/formats/openTensorFile';
import { buildQuantizeReport, prepareSubject } from '../../../../src/core/report/buildReports';
import type { FromWebview, PanelSettings, ToWebview } from '../../../../src/protocol/webview';
import { Exporter } from '../../../../src/extension/commands/exports';
import { defaultSettings } from '../../../../src/extension/config/settings';
import { Numerics } from '../../../../src/extension/numerics';
import { ActiveInspector } from '../../../../src/extension/panel/activeInspector';
import { registerLog } from '../../../../src/extension/log';
import { InspectorSession, type InspectorDeps } from '../../../../src/extension/panel/inspectorSession';
import { InspectorRegistry } from '../../../../src/extension/panel/inspectorRegistry';
import { PanelChoices } from '../../../../src/extension/panel/panelChoices';
import { TensorStatuses } from '../../../../src/extension/status/tensorStatus';
import { WorkerClient } from '../../../../src/extension/workerClient';
import { repoRoot } from '../../../helpers/cli';
import { EventEmitter, Uri } from '../vscodeStub';

/** A webview whose page is the test: it sends messages and records the host's answers. */
class FakeWebview {
  readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  readonly posted: ToWebview[] = [];
  private waiters: Array<() => void> = [];
  async postMessage(message: ToWebview): Promise<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)) as ToWebview);
    for (const w of this.waiters.splice(0)) w();
    return true;
  }
  send(message: FromWebview | Record<string, unknown>): void {
    this.received.fire(message);
  }
  /** Waits until a posted message satisfies `done`. */
  async until(done: (posted: readonly ToWebview[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.posted)) {
      if (Date.now() > deadline) throw new Error(`timed out; posted: ${JSON.stringify(this.posted.map((p) => [p.type, 'requestId' in p ? p.requestId : undefined]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }
  answersTo(requestId: number): ToWebview[] {
    return this.posted.filter((p) => 'requestId' in p && p.requestId === requestId && p.type !== 'progress');
  }
}

const settings: PanelSettings = { tensor: 'notebook', bits: 8, range: 'percentile', percentile: 99, grid: '99:100:0.01', objective: 'mse' };

describe('inspector session: the host side of the page protocol, over the real worker', function () {
  this.timeout(120_000);
  let dir: string;
  let worker: WorkerClient;
  let deps: InspectorDeps;
  const notebook = Uri.file(join(repoRoot, 'samples', 'notebook.npy'));

  before(async function () {
    registerLog({ subscriptions: [] } as never);
    dir = mkdtempSync(join(tmpdir(), 'clipwise-session-'));
    const script = join(dir, 'worker.js');
    await build({ entryPoints: [join(repoRoot, 'src/extension/worker/workerMain.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: script, logLevel: 'warning' });
    worker = new WorkerClient(script, 'session test');
    const numerics = new Numerics(worker, () => defaultSettings);
    const memento = new Map<string, unknown>();
    deps = {
      numerics,
      settings: { get: () => defaultSettings },
      choices: new PanelChoices({ get: (k: string, d: unknown) => memento.get(k) ?? d, update: async (k: string, v: unknown) => void memento.set(k, v), keys: () => [] } as never),
      statuses: new TensorStatuses(),
      exporter: new Exporter(numerics),
      active: new ActiveInspector(),
      inspectors: new InspectorRegistry(),
    };
  });

  after(function () {
    worker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function notebookReport(s: PanelSettings) {
    const bytes = new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(notebook.fsPath)));
    const file = await openTensorFile(memoryByteSource(bytes, 'notebook.npy'));
    const subject = prepareSubject(await file.read('notebook'));
    return buildQuantizeReport(subject, { bits: s.bits, range: s.range === 'minmax' ? 'minmax' : 'percentile', percentile: s.percentile });
  }

  it('answers ready with show: the file, its tensors, the configured settings and their report', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'ready' });
      await page.until((p) => p.length > 0);
      const [show] = page.posted;
      assert.equal(show.type, 'show');
      if (show.type !== 'show') return;
      assert.equal(show.fileName, 'notebook.npy');
      assert.equal(show.fileUri, notebook.toString());
      assert.deepEqual(show.tensors, [{ name: 'notebook', dtype: 'float64', shape: [1000], count: 1000 }]);
      assert.deepEqual(show.settings, settings);
      assert.deepEqual(show.report, JSON.parse(JSON.stringify(await notebookReport(settings))));
      assert.equal(show.baseline.params.range, 'minmax');
      assert.equal(deps.statuses.of(session)?.report.tensor.name, 'notebook');
      assert.deepEqual(deps.choices.get(notebook as never)?.settings, settings);
      const [snapshot] = deps.inspectors.snapshots();
      assert.deepEqual([snapshot.kind, snapshot.fileUri, snapshot.report?.scale], ['panel', notebook.toString(), show.report.scale]);
    } finally {
      session.dispose();
    }
  });

  it('answers every request once; a newer quantize replaces the older, which is answered Cancelled.', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps, { tensor: 'notebook' });
    try {
      page.send({ type: 'quantize', requestId: 1, settings: { ...settings, bits: 4 } });
      page.send({ type: 'quantize', requestId: 2, settings: { ...settings, bits: 6 } });
      page.send({ type: 'quantize', requestId: 3, settings: { ...settings, bits: 1 } });
      page.send({ type: 'quantize', requestId: 4, settings: { ...settings, range: 'minmax', bits: 5 } });
      await page.until(() => [1, 2, 3, 4].every((id) => page.answersTo(id).length > 0));
      for (const id of [1, 2, 3]) assert.deepEqual(page.answersTo(id).map((a) => [a.type, 'message' in a ? a.message : '']), [['failed', 'Cancelled.']], `request ${id}`);
      const [last] = page.answersTo(4);
      assert.equal(last.type, 'quantized');
      if (last.type === 'quantized') {
        assert.equal(last.report.params.bits, 5);
        assert.equal(last.report.params.range, 'minmax');
      }
    } finally {
      session.dispose();
    }
  });

  it('turns a bad setting into a failed answer that names the file', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'quantize', requestId: 7, settings: { ...settings, bits: 1 } });
      await page.until(() => page.answersTo(7).length > 0);
      assert.deepEqual(page.answersTo(7), [{ type: 'failed', requestId: 7, message: 'notebook.npy: Bits must be an integer from 2 to 16; got 1.' }]);
    } finally {
      session.dispose();
    }
  });

  it('runs a search with progress, answers searchResult as "best of grid", and remembers the best for the file', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'runSearch', requestId: 9, settings: { ...settings, grid: '99:100:0.05' } });
      await page.until(() => page.answersTo(9).length > 0);
      const [answer] = page.answersTo(9);
      assert.equal(answer.type, 'searchResult');
      if (answer.type !== 'searchResult') return;
      assert.equal(answer.settings.range, 'bestOfGrid');
      assert.equal(answer.search.curve.length, 21);
      assert.equal(answer.report.params.percentile, answer.search.best.percentile);
      assert.ok(page.posted.some((p) => p.type === 'progress' && p.requestId === 9));
      assert.equal(deps.choices.get(notebook as never)?.bestPercentile, answer.search.best.percentile);
      page.send({ type: 'ready' });
      await page.until((p) => p.some((m) => m.type === 'show'));
      const show = page.posted.find((m) => m.type === 'show');
      assert.ok(show?.type === 'show' && show.search?.curve.length === 21, 'a reloaded page gets the last search back');
    } finally {
      session.dispose();
    }
  });

  it('cancels a search on request, and a quantize does not cancel a search', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'runSearch', requestId: 11, settings: { ...settings, grid: '99:100:0.001' } });
      page.send({ type: 'cancel', requestId: 11 });
      page.send({ type: 'runSearch', requestId: 12, settings: { ...settings, grid: '99:100:0.02' } });
      page.send({ type: 'quantize', requestId: 13, settings: { ...settings, percentile: 98 } });
      await page.until(() => [11, 12, 13].every((id) => page.answersTo(id).length > 0));
      assert.deepEqual(page.answersTo(11), [{ type: 'failed', requestId: 11, message: 'Cancelled.' }]);
      assert.equal(page.answersTo(12)[0].type, 'searchResult');
      assert.equal(page.answersTo(13)[0].type, 'quantized');
    } finally {
      session.dispose();
    }
  });

  it('answers a "best of grid" quantize with the search it ran, at the search\'s best percentile', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'quantize', requestId: 30, settings: { ...settings, bits: 6, range: 'bestOfGrid', grid: '99:100:0.1' } });
      await page.until(() => page.answersTo(30).length > 0);
      const [answer] = page.answersTo(30);
      assert.equal(answer.type, 'quantized');
      if (answer.type !== 'quantized') return;
      assert.equal(answer.search?.curve.length, 11);
      assert.equal(answer.search?.params.bits, 6);
      assert.equal(answer.report.params.percentile, answer.search?.best.percentile);
    } finally {
      session.dispose();
    }
  });

  it('drops malformed messages without an answer', async function () {
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, notebook as never, deps);
    try {
      page.send({ type: 'quantize', requestId: 'x', settings });
      page.send({ type: 'show' });
      page.send({ type: 'export', requestId: 20, kind: 'pythonSnippet', settings });
      await page.until(() => page.answersTo(20).length > 0);
      assert.deepEqual(page.posted, [{ type: 'exported', requestId: 20, message: "Python snippet for 'notebook' copied to the clipboard." }]);
    } finally {
      session.dispose();
    }
  });

  it('fails the whole page, naming the file, when the file cannot be read', async function () {
    const bad = join(dir, 'broken.npy');
    writeFileSync(bad, Buffer.from('\x93NUMPY\x01\x00garbage', 'latin1'));
    const page = new FakeWebview();
    const session = new InspectorSession(page as never, Uri.file(bad) as never, deps);
    try {
      page.send({ type: 'ready' });
      await page.until((p) => p.length > 0);
      assert.equal(page.posted.length, 1);
      const [failed] = page.posted;
      assert.equal(failed.type, 'failed');
      assert.ok(failed.type === 'failed' && failed.requestId === undefined && failed.message.includes('broken.npy'), JSON.stringify(failed));
      assert.equal(deps.inspectors.snapshots().find((s) => s.fileUri.endsWith('broken.npy'))?.failed, failed.message);
    } finally {
      session.dispose();
    }
  });
});
