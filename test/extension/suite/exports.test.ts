import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { cliQuantize, closeAll, quantizeTensor, repoRoot, resetSettings, runAcceptingPrompts, scratchFolder, workspaceFile, workspaceRoot } from './helpers';

/** What `clipwise quantize FILE --out` writes, read back. */
async function cliCodes(file: vscode.Uri, options: readonly string[] = []): Promise<Buffer> {
  const out = join(scratchFolder('codes'), 'codes.npy');
  await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'quantize', file.fsPath, ...options, '--out', out]);
  return readFileSync(out);
}

/** A path in the workspace's scratch folder that does not exist yet. */
function newPath(name: string): vscode.Uri {
  const uri = vscode.Uri.joinPath(workspaceRoot(), 'scratch', name);
  assert.equal(existsSync(uri.fsPath), false);
  return uri;
}

suite('Exports', () => {
  suiteSetup(resetSettings);
  suiteTeardown(closeAll);

  test('Export Codes writes a new .npy, byte for byte what `clipwise quantize --out` writes', async () => {
    const uri = workspaceFile('weights.npy');
    const target = newPath('weights.codes.npy');
    const written = await vscode.commands.executeCommand('clipwise.exportCodes', uri, undefined, { saveUri: target });
    assert.ok(written, 'the export resolved');
    assert.ok(readFileSync(target.fsPath).equals(await cliCodes(uri)), 'the same bytes as the CLI');
  });

  test('Export Parameters writes a new JSON with the CLI\'s scale, zero point and clip range', async () => {
    const uri = workspaceFile('notebook.npy');
    const target = newPath('notebook.quant.json');
    await vscode.commands.executeCommand('clipwise.exportParams', uri, undefined, { saveUri: target });
    const saved = JSON.parse(readFileSync(target.fsPath, 'utf8')) as Record<string, unknown>;
    const cli = await cliQuantize(uri);
    assert.deepEqual(
      { scale: saved.scale, zeroPoint: saved.zeroPoint, bits: saved.bits, clipMin: saved.clipMin, clipMax: saved.clipMax, qmin: saved.qmin, qmax: saved.qmax },
      { scale: cli.scale, zeroPoint: cli.zeroPoint, bits: 8, clipMin: cli.clipMin, clipMax: cli.clipMax, qmin: cli.qmin, qmax: cli.qmax },
    );
  });

  test('an export never overwrites: not the tensor file, not an existing file', async () => {
    const uri = workspaceFile('notebook.npy');
    for (const target of [uri, workspaceFile('weights.npy')]) {
      const written = await vscode.commands.executeCommand('clipwise.exportCodes', uri, undefined, { saveUri: target });
      assert.equal(written, undefined, `refused ${target.path}`);
    }
  });

  test('from the palette, the active panel\'s file, saved where the dialog suggests', async () => {
    const uri = workspaceFile('activations.npy');
    assert.ok(await quantizeTensor(uri));
    const before = new Set(readdirSync(workspaceRoot().fsPath));
    await runAcceptingPrompts('clipwise.exportCodes');
    const added = readdirSync(workspaceRoot().fsPath).filter((f) => !before.has(f));
    assert.deepEqual(added, ['activations.codes.npy']);
    assert.ok(readFileSync(join(workspaceRoot().fsPath, added[0]!)).equals(await cliCodes(uri)));
  });

  test('Copy Python Snippet puts numpy and PyTorch code with the exact scale on the clipboard', async () => {
    const uri = workspaceFile('notebook.npy');
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('clipwise.copyPythonSnippet', uri);
    const text = await vscode.env.clipboard.readText();
    const cli = await cliQuantize(uri);
    assert.match(text, /import numpy as np/);
    assert.match(text, /torch\.quantize_per_tensor/);
    assert.ok(text.includes(String(cli.scale)), `the snippet carries the scale ${cli.scale}`);
  });
});
