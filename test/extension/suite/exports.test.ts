import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { cliQuantize, closeAll, inspectorOf, repoRoot, resetSettings, runAcceptingPrompts, workspaceFile, workspaceRoot } from './helpers';

/** Files of the workspace's top folder. */
const listing = () => new Set(readdirSync(workspaceRoot().fsPath));

/** The one file that appeared since `before`. */
function newFile(before: Set<string>, pattern: RegExp): string {
  const added = [...listing()].filter((f) => !before.has(f) && pattern.test(f));
  assert.equal(added.length, 1, `one new file matching ${pattern}: ${added.join(', ')}`);
  return join(workspaceRoot().fsPath, added[0]!);
}

suite('Exports from the palette, for the active panel', () => {
  suiteSetup(resetSettings);
  suiteTeardown(closeAll);

  async function openPanel(name: string): Promise<vscode.Uri> {
    const uri = workspaceFile(name);
    await vscode.commands.executeCommand('clipwise.quantizeTensor', uri);
    assert.ok(await inspectorOf(uri), `a panel for ${name}`);
    return uri;
  }

  test('Export Codes saves a new .npy, byte for byte what `clipwise quantize --out` writes', async () => {
    const uri = await openPanel('weights.npy');
    const before = listing();
    await runAcceptingPrompts('clipwise.exportCodes');
    const saved = newFile(before, /\.npy$/);
    const cliOut = join(mkdtempSync(join(tmpdir(), 'clipwise-codes-')), 'codes.npy');
    await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'quantize', uri.fsPath, '--out', cliOut]);
    assert.ok(readFileSync(saved).equals(readFileSync(cliOut)), `${saved} equals the CLI's codes`);
  });

  test('Export Parameters saves a new JSON with the CLI\'s scale and zero point', async () => {
    const uri = await openPanel('notebook.npy');
    const before = listing();
    await runAcceptingPrompts('clipwise.exportParams');
    const saved = JSON.parse(readFileSync(newFile(before, /\.json$/), 'utf8')) as Record<string, unknown>;
    const cli = await cliQuantize(uri);
    assert.equal(saved.scale, cli.scale);
    assert.equal(saved.zeroPoint, cli.zeroPoint);
    assert.equal(saved.bits, 8);
    assert.equal(saved.clipMin, cli.clipMin);
    assert.equal(saved.clipMax, cli.clipMax);
  });

  test('Copy Python Snippet puts numpy and PyTorch code with the scale on the clipboard', async () => {
    const uri = await openPanel('notebook.npy');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('clipwise.copyPythonSnippet');
    const text = await vscode.env.clipboard.readText();
    const cli = await cliQuantize(uri);
    assert.match(text, /import numpy as np/);
    assert.match(text, /torch\.quantize_per_tensor/);
    assert.ok(text.includes(String(cli.scale)), 'the snippet carries the exact scale');
  });
});
