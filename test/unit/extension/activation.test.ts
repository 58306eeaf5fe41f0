import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../../helpers/cli';
import { installVscodeStub, registered, Uri } from './vscodeStub';

interface Manifest {
  activationEvents: string[];
  contributes: { commands: Array<{ command: string }>; customEditors: Array<{ viewType: string }> };
}

describe('activation: the bundled extension wires every feature (against a vscode stand-in)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'clipwise-activate-'));
    await build({
      entryPoints: [join(repoRoot, 'src/extension/extension.ts')],
      bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode'],
      outfile: join(dir, 'dist', 'extension.js'), logLevel: 'warning',
    });
    installVscodeStub();
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('activates without the webview bundle and registers what package.json contributes', function () {
    // The temporary extension folder has no dist/webview: activation must not need it.
    const extension = require(join(dir, 'dist', 'extension.js')) as { activate(c: unknown): { inspectors(): unknown[]; notifications(): unknown[] }; deactivate(): void };
    const subscriptions: Array<{ dispose(): unknown }> = [];
    const memento = new Map<string, unknown>();
    const context = {
      subscriptions,
      extensionUri: Uri.file(dir),
      workspaceState: { get: (k: string, d: unknown) => memento.get(k) ?? d, update: async (k: string, v: unknown) => void memento.set(k, v) },
    };
    const api = extension.activate(context);
    assert.deepEqual(api.inspectors(), []);
    assert.deepEqual(api.notifications(), []);
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
    assert.deepEqual([...registered.commands.keys()].sort(), manifest.contributes.commands.map((c) => c.command).sort());
    assert.deepEqual(registered.customEditors, manifest.contributes.customEditors.map((e) => e.viewType));
    const serialized = manifest.activationEvents.filter((e) => e.startsWith('onWebviewPanel:')).map((e) => e.slice('onWebviewPanel:'.length));
    assert.deepEqual(registered.serializers, serialized);
    assert.equal(registered.hoverProviders, 1);
    assert.equal(registered.codeLensProviders, 1);
    assert.ok(subscriptions.length > 10);
    for (const s of subscriptions.reverse()) s.dispose();
    extension.deactivate();
    assert.ok(!registered.logLines.some((l) => l.startsWith('error')), registered.logLines.join('\n'));
  });
});
