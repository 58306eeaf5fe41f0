import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/cli';
import { commandIds } from '../../../src/extension/commands/commandIds';
import { isJsonTensorDocument, isJsonTensorName, tensorFileWhenClause } from '../../../src/extension/diagnostics/jsonTensorRule';

interface MenuItem { command: string; when?: string; group?: string }
interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    menus: Record<string, MenuItem[]>;
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }>; priority: string }>;
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('manifest: commands, menus, editor and the JSON tensor file rule', function () {
  it('contributes every command the extension registers, in category Clipwise', function () {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(commandIds).sort());
    assert.ok(manifest.contributes.commands.every((c) => c.category === 'Clipwise'));
    const titles = Object.fromEntries(manifest.contributes.commands.map((c) => [c.command, c.title]));
    assert.equal(titles['clipwise.quantizeTensor'], 'Quantize Tensor');
    assert.equal(titles['clipwise.findBestPercentile'], 'Find Best Percentile (Grid Search)');
  });

  it('offers both tensor commands in the explorer, editor and editor title context menus, on tensor files only', function () {
    for (const menu of ['explorer/context', 'editor/context', 'editor/title/context']) {
      const items = manifest.contributes.menus[menu];
      assert.deepEqual(items.map((i) => i.command), [commandIds.quantizeTensor, commandIds.findBestPercentile], menu);
      for (const item of items) {
        assert.ok(item.when?.includes(`(${tensorFileWhenClause})`), `${menu}: ${item.when}`);
        assert.ok(item.when?.includes("resourceFilename != 'package.json'"), menu);
      }
    }
    assert.ok(manifest.contributes.menus['explorer/context'].every((i) => i.when?.startsWith('!explorerResourceIsFolder && ')));
  });

  it('the when clause\'s name rule is the code\'s', function () {
    const nameRule = /resourceFilename =~ \/(.*?)\/i/.exec(tensorFileWhenClause)?.[1];
    assert.ok(nameRule);
    const pattern = new RegExp(nameRule.replace(/\\\\/g, '\\'), 'i');
    for (const name of ['w.tensor.json', 'MODEL.TENSORS.JSON', 'a.b.tensor.json']) {
      assert.ok(pattern.test(name), name);
      assert.ok(isJsonTensorName(`/x/${name}`), name);
    }
    for (const name of ['package.json', 'tensor.json', 'w.tensorjson', 'w.tensor.json.bak']) {
      assert.ok(!pattern.test(name), name);
      assert.ok(!isJsonTensorName(name), name);
    }
  });

  it('recognises JSON tensors by content, and never package.json or tsconfig.json', function () {
    const doc = (path: string, text: string) => ({ path, languageId: 'json', text: () => text });
    assert.ok(isJsonTensorDocument(doc('/w/weights.json', '[[0.5, -1], [2, 3]]')));
    assert.ok(isJsonTensorDocument(doc('/w/t.json', '{"shape": [2], "data": [1, 2]}')));
    assert.ok(isJsonTensorDocument(doc('/w/named.json', '{"w": [1, 2], "b": [0]}')));
    assert.ok(isJsonTensorDocument(doc('/w/broken.tensor.json', '{"oops"')), 'the name decides, whatever the text');
    assert.ok(!isJsonTensorDocument(doc('/w/package.json', '[1, 2, 3]')), 'package.json, even holding numbers');
    assert.ok(!isJsonTensorDocument(doc('/w/tsconfig.json', '{"compilerOptions": {}}')));
    assert.ok(!isJsonTensorDocument(doc('/w/data.json', '{"name": "clipwise", "version": "0.1.0"}')));
    assert.ok(!isJsonTensorDocument({ path: '/w/notes.md', languageId: 'markdown', text: () => '[1, 2]' }));
  });

  it('opens .npy (and .npz, .safetensors) files in the read-only inspector by default, and activates for JSON and revived panels', function () {
    assert.equal(manifest.main, './dist/extension.js');
    const [editor] = manifest.contributes.customEditors;
    assert.equal(editor.viewType, 'clipwise.npyEditor');
    assert.deepEqual(editor.selector, [{ filenamePattern: '*.npy' }, { filenamePattern: '*.npz' }, { filenamePattern: '*.safetensors' }]);
    assert.equal(editor.priority, 'default');
    for (const event of ['onLanguage:json', 'onWebviewPanel:clipwise.inspector']) assert.ok(manifest.activationEvents.includes(event), event);
  });
});
