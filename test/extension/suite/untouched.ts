/**
 * Clipwise never writes to a tensor file: every file of the workspace is fingerprinted when mocha
 * loads the suites (before any test runs) and compared after every other suite has run.
 */
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { fingerprint } from './helpers';

const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const tensorFiles = root ? readdirSync(root).filter((f) => /\.(npy|json)$/.test(f)) : [];
const before = new Map(tensorFiles.map((f) => [f, fingerprint(join(root, f))]));

suite('Tensor files after every suite', () => {
  test('no tensor file was written: same bytes, same size, same modification time', async () => {
    assert.ok(before.size >= 5, `the workspace's tensor files were fingerprinted (${[...before.keys()].join(', ')})`);
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.fileName);
    assert.deepEqual(dirty, [], 'no document is left modified');
    for (const [file, was] of before) assert.deepEqual(fingerprint(join(root, file)), was, `${file} is unchanged`);
  });
});
