import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QuantizeReport } from '../../../src/core/report/reportTypes';
import {
  cliQuantize, clipwiseDiagnostics, closeAll, rangeOf, resetSettings, scratchFolder, setSetting, sleep, until, workspaceFile,
} from './helpers';

/** Every number of a JSON document and where it is written. */
function numbersOf(doc: vscode.TextDocument): { text: string; value: number; range: vscode.Range }[] {
  const out: { text: string; value: number; range: vscode.Range }[] = [];
  for (const m of doc.getText().matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)) {
    const at = m.index ?? 0;
    out.push({ text: m[0], value: Number(m[0]), range: new vscode.Range(doc.positionAt(at), doc.positionAt(at + m[0].length)) });
  }
  return out;
}

/** The elements a report clips. */
function clipped(doc: vscode.TextDocument, r: QuantizeReport) {
  return numbersOf(doc).filter((n) => n.value < r.clipMin || n.value > r.clipMax);
}

/** The error x - x_hat of an element that is not clipped (round half to even, as numpy.round). */
function elementError(x: number, r: QuantizeReport): number {
  const t = x / r.scale + r.zeroPoint;
  let q = Math.round(t);
  if (Math.abs(t - Math.trunc(t)) === 0.5) q = 2 * Math.round(t / 2);
  q = Math.min(r.qmax, Math.max(r.qmin, q));
  return x - r.scale * (q - r.zeroPoint);
}

const key = (r: vscode.Range) => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
const warnings = (uri: vscode.Uri) => clipwiseDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Warning);

/** Waits until Clipwise's diagnostics of a file satisfy `ok`, and fails with what it saw if they never do. */
async function diagnosticsUntil(uri: vscode.Uri, ok: (d: vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  let last: vscode.Diagnostic[] = [];
  const met = await until(() => ok((last = clipwiseDiagnostics(uri))), timeoutMs);
  assert.ok(met, `${what}; the diagnostics were: ${JSON.stringify(last.map((d) => `${key(d.range)} ${vscode.DiagnosticSeverity[d.severity]} ${d.message}`))}`);
  return last;
}

suite('Diagnostics on a JSON tensor', () => {
  suiteSetup(resetSettings);
  teardown(async () => {
    await closeAll();
    await resetSettings();
  });

  test('warns on each clipped element, at its text, naming its value', async () => {
    const uri = workspaceFile('tensor.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const cli = await cliQuantize(uri);
    const expected = clipped(doc, cli);
    assert.equal(expected.length, cli.metrics.clippedCount, 'the fixture clips as the CLI counts');
    assert.ok(expected.some((n) => n.text === '9.75'), 'the outlier is clipped');
    const seen = await diagnosticsUntil(uri, () => warnings(uri).length === expected.length, `${expected.length} warnings`);
    const got = seen.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(got.map((d) => key(d.range)).sort(), expected.map((n) => key(n.range)).sort(), 'a warning on each clipped element');
    for (const n of expected) {
      const d = got.find((x) => key(x.range) === key(n.range));
      assert.ok(d?.message.includes(n.text), `the warning on ${n.text} names it: "${d?.message}"`);
    }
  });

  test('puts one summary line at the top: bits, scale, zero point, MSE', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.window.showTextDocument(uri);
    const cli = await cliQuantize(uri);
    const diags = await diagnosticsUntil(uri, (d) => d.some((x) => x.range.start.line === 0 && /MSE/.test(x.message)), 'a summary on line 1');
    const summary = diags.filter((x) => x.range.start.line === 0 && /MSE/.test(x.message));
    assert.equal(summary.length, 1, 'one summary');
    assert.notEqual(summary[0]!.severity, vscode.DiagnosticSeverity.Error);
    assert.match(summary[0]!.message, /8.?bit/);
    assert.match(summary[0]!.message, /scale/i);
    assert.match(summary[0]!.message, new RegExp(`zero point\\W+${cli.zeroPoint}\\b`, 'i'));
  });

  test('follows edits of the document (unsaved)', async () => {
    const uri = workspaceFile('tensor.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await diagnosticsUntil(uri, () => warnings(uri).some((d) => d.message.includes('9.75')), 'a warning on 9.75');
    // An editor edit, not workspace.applyEdit: VS Code may save files a workspace edit touched.
    assert.ok(await editor.edit((b) => b.replace(rangeOf(doc, '9.75'), '0.25')));
    const scratch = join(scratchFolder('edit'), 'tensor.json');
    writeFileSync(scratch, doc.getText());
    const expected = clipped(doc, await cliQuantize(vscode.Uri.file(scratch)));
    const after = await diagnosticsUntil(uri, () => !warnings(uri).some((d) => d.message.includes('9.75')) && warnings(uri).length === expected.length, 'the warnings of the edited text');
    const got = after.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).map((d) => key(d.range)).sort();
    assert.deepEqual(got, expected.map((n) => key(n.range)).sort(), 'the warnings are those of the edited text');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(doc.isDirty, false);
    assert.ok(doc.getText().includes('9.75'), 'reverted, not saved');
    await diagnosticsUntil(uri, () => warnings(uri).some((d) => d.message.includes('9.75')), 'the warning on 9.75 again');
  });

  test('errorThreshold: an information on each element whose |error| exceeds it', async () => {
    const uri = workspaceFile('tensor.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const cli = await cliQuantize(uri);
    const threshold = cli.scale * 0.4;
    await setSetting('diagnostics.errorThreshold', threshold);
    const inside = numbersOf(doc).filter((n) => n.value >= cli.clipMin && n.value <= cli.clipMax);
    const expected = inside.filter((n) => Math.abs(elementError(n.value, cli)) > threshold).map((n) => key(n.range)).sort();
    assert.ok(expected.length > 0 && expected.length < inside.length, 'the threshold splits the elements');
    const infos = (d: vscode.Diagnostic[]) => d.filter((x) => x.severity === vscode.DiagnosticSeverity.Information && x.range.start.line > 0);
    const diags = await diagnosticsUntil(uri, (d) => infos(d).length >= expected.length, `${expected.length} informations`);
    const got = infos(diags).map((d) => key(d.range)).filter((k) => inside.some((n) => key(n.range) === k)).sort();
    assert.deepEqual(got, expected);
  });

  test('maxPerFile: at most that many element diagnostics, then one that says how many more', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.window.showTextDocument(uri);
    await setSetting('diagnostics.errorThreshold', 0);
    await setSetting('diagnostics.maxPerFile', 3);
    const diags = await diagnosticsUntil(uri, (d) => d.some((x) => /\d+ more/.test(x.message)), 'an "N more" diagnostic');
    const more = diags.filter((x) => /\d+ more/.test(x.message));
    assert.equal(more.length, 1, `one "N more" diagnostic: ${diags.map((d) => d.message).join(' | ')}`);
    const elements = diags.filter((x) => x !== more[0] && !/MSE/.test(x.message));
    assert.equal(elements.length, 3);
  });

  test('clipwise.diagnostics.enabled: false clears them, true brings them back', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.window.showTextDocument(uri);
    await diagnosticsUntil(uri, (d) => d.length > 0, 'diagnostics');
    await setSetting('diagnostics.enabled', false);
    await diagnosticsUntil(uri, (d) => d.length === 0, 'none when disabled');
    await setSetting('diagnostics.enabled', true);
    await diagnosticsUntil(uri, (d) => d.length > 0, 'diagnostics again when enabled');
  });

  test('clipwise.bits changes the summary', async () => {
    const uri = workspaceFile('tensor.json');
    await vscode.window.showTextDocument(uri);
    await setSetting('bits', 4);
    await diagnosticsUntil(uri, (d) => d.some((x) => /MSE/.test(x.message) && /4.?bit/.test(x.message)), 'a summary that says 4 bits');
  });

  test('unreadable content: an error at the offending position', async () => {
    const uri = workspaceFile('scratch/broken.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('[[1.0, 2.0],\n [3.0, oops]]\n'));
    await vscode.window.showTextDocument(uri);
    const diags = await diagnosticsUntil(uri, (d) => d.some((x) => x.severity === vscode.DiagnosticSeverity.Error), 'an error');
    const error = diags.find((x) => x.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, 'an error diagnostic');
    assert.equal(error.range.start.line, 1);
    assert.equal(error.range.start.character, 7);
    assert.match(error.message, /unexpected 'oops'; expected a value/);
  });

  test('leaves unrelated JSON alone: no diagnostics and no CodeLens on package.json', async () => {
    const uri = workspaceFile('package.json');
    await vscode.window.showTextDocument(uri);
    await sleep(1500);
    assert.deepEqual(clipwiseDiagnostics(uri), []);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.deepEqual((lenses ?? []).filter((l) => l.command?.command.startsWith('clipwise.')), []);
  });
});

suite('CodeLens and hover on a JSON tensor', () => {
  teardown(closeAll);

  test('a CodeLens above each tensor offers Quantize Tensor and Find Best Percentile', async () => {
    const uri = workspaceFile('layers.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const lenses = await until(async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
      const ours = (all ?? []).filter((l) => l.command?.command.startsWith('clipwise.'));
      return ours.length >= 4 ? ours : undefined;
    }, 15_000);
    assert.ok(lenses, 'CodeLenses from Clipwise');
    for (const tensorLine of [rangeOf(doc, '"conv1.weight"').start.line, rangeOf(doc, '"conv1.bias"').start.line]) {
      const here = lenses.filter((l) => l.range.start.line === tensorLine).map((l) => l.command?.command).sort();
      assert.deepEqual(here, ['clipwise.findBestPercentile', 'clipwise.quantizeTensor'], `lenses on line ${tensorLine}`);
    }
  });

  test('a hover on a number shows its code, its dequantized value and its error', async () => {
    const uri = workspaceFile('tensor.json');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const cli = await cliQuantize(uri);
    const at = rangeOf(doc, '9.75').start.translate(0, 1);
    const hovers = await until(async () => {
      const all = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, at);
      const text = (all ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return /code/i.test(text) ? text : undefined;
    }, 15_000);
    assert.ok(hovers, 'a hover from Clipwise');
    assert.match(hovers, new RegExp(`\\b${cli.qmax}\\b`), 'the outlier is clipped to the top code');
    assert.match(hovers, /dequantized/i);
    assert.match(hovers, /error/i);
  });
});

suite('Diagnostics on a .npy', () => {
  teardown(closeAll);

  test('opening a .npy puts its summary in the Problems panel on the file', async () => {
    const uri = workspaceFile('weights.npy');
    await vscode.commands.executeCommand('vscode.open', uri);
    const diags = await diagnosticsUntil(uri, (d) => d.some((x) => /MSE/.test(x.message)), 'a summary');
    assert.equal(diags.filter((x) => /MSE/.test(x.message)).length, 1);
  });
});
