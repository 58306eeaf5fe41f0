import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeJsonTensorText } from '../../../../src/core/formats/jsonDetect';
import { parseJsonTensorText } from '../../../../src/core/formats/jsonTensors';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const fixtures = join(repoRoot, 'test', 'fixtures', 'json');

describe('looksLikeJsonTensorText', () => {
  const tensorTexts = [
    '[1, 2, 3]',
    '\uFEFF  \n[[[-0.5, 1]]]',
    '[NaN, 1]',
    '[-Infinity]',
    '[\n  [\n    1e-3',
    '{"shape": [2], "data": [1, 2]}',
    '{"dtype": "float16", "data": [1]}',
    '{"data": [[true, false]], "dtype": "bool"}',
    '{"data": 3.5}',
    '{\n  "conv.weight": [[0.1, 0.2]],\n  "conv.bias": [0.0]\n}',
    '{"w": {"dtype": "int8", "data": [1]}}',
    '{"w": {"data": [1, 2]}}',
  ];
  for (const text of tensorTexts) {
    it(`says yes to ${JSON.stringify(text)}`, () => assert.equal(looksLikeJsonTensorText(text), true));
  }

  const otherTexts = [
    '',
    '   ',
    '[]',
    '["a", "b"]',
    '[{"a": 1}]',
    '[true, false]',
    '[null]',
    '"weights"',
    '42',
    '{}',
    '{"name": "clipwise", "version": "0.1.0"}',
    '// a comment\n{"compilerOptions": {}}',
    '{"compilerOptions": {"strict": true}}',
    '{"dtype": "<f4", "data": [1]}',
    '{"shape": "circle"}',
    '{"data": "x"}',
    '{"files": ["a.json"]}',
    '{"w": {"name": "x"}}',
    `[${' '.repeat(10_000)}1]`,
  ];
  for (const text of otherTexts) {
    it(`says no to ${JSON.stringify(text.length > 60 ? `${text.slice(0, 20)}…` : text)}`, () => assert.equal(looksLikeJsonTensorText(text), false));
  }

  it("says no to the project's own package.json and tsconfig.json", () => {
    for (const file of ['package.json', 'tsconfig.json', 'src/core/tsconfig.json', '.mocharc.json']) {
      assert.equal(looksLikeJsonTensorText(readFileSync(join(repoRoot, file), 'utf8')), false, file);
    }
  });

  it('says yes to every fixture that parses as tensors', () => {
    for (const file of readdirSync(fixtures)) {
      const text = readFileSync(join(fixtures, file), 'utf8');
      let parses = true;
      try {
        parseJsonTensorText(text, file);
      } catch {
        parses = false;
      }
      if (parses) assert.equal(looksLikeJsonTensorText(text), true, file);
    }
  });
});
