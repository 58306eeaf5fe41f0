import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { repoRoot } from '../../../helpers/cli';
import { coreGridVerdict, gridText } from '../../../helpers/gridTexts';
import {
  defaultSettings,
  panelSettingsFrom,
  quantizeOptionsOf,
  readSettings,
  validateBitsText,
  validateGridText,
  validatePercentileText,
} from '../../../../src/extension/config/settings';

interface Manifest {
  contributes: { configuration: { properties: Record<string, { default: unknown; pattern?: string; enum?: string[] }> } };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const properties = manifest.contributes.configuration.properties;

describe('settings: validation and the manifest', function () {
  it('missing values take the defaults, silently', function () {
    const { settings, problems } = readSettings(() => undefined);
    assert.deepEqual(settings, defaultSettings);
    assert.deepEqual(problems, []);
  });

  it('the manifest declares every setting with the defaults the code uses', function () {
    const expected: Record<string, unknown> = {
      'clipwise.bits': defaultSettings.bits,
      'clipwise.range': defaultSettings.range,
      'clipwise.percentile': defaultSettings.percentile,
      'clipwise.grid': defaultSettings.grid,
      'clipwise.objective': defaultSettings.objective,
      'clipwise.diagnostics.enabled': defaultSettings.diagnostics.enabled,
      'clipwise.diagnostics.maxPerFile': defaultSettings.diagnostics.maxPerFile,
      'clipwise.diagnostics.errorThreshold': defaultSettings.diagnostics.errorThreshold,
      'clipwise.maxTensorBytes': defaultSettings.maxTensorBytes,
    };
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(properties[key].default, value, key);
    const fromManifest = readSettings((key) => properties[`clipwise.${key}`]?.default);
    assert.deepEqual(fromManifest.settings, defaultSettings);
    assert.deepEqual(fromManifest.problems, []);
  });

  it('the manifest\'s grid pattern accepts what the core parses and refuses what it cannot', function () {
    // The pattern checks the form only (the range needs the core: readSettings names it); it must mean the
    // same with the 'u' flag, which VS Code's JSON schema validation adds, and without.
    for (const pattern of [new RegExp(properties['clipwise.grid'].pattern ?? ''), new RegExp(properties['clipwise.grid'].pattern ?? '', 'u')]) {
      for (const ok of ['99:100:0.01', '99.9:100:0.001', ' 90 : 100 : 1 ', '99.99:100:1e-4', 'nines', ' Nines ']) {
        assert.ok(pattern.test(ok), ok);
        assert.equal(validateGridText(ok), undefined, ok);
      }
      for (const bad of ['99-100', '99:100', 'a:b:c', '', 'nine']) assert.ok(!pattern.test(bad), bad);
      fc.assert(
        fc.property(gridText, (text) => {
          const core = coreGridVerdict(text);
          assert.equal(pattern.test(text), !(core.kind === 'refused' && core.stage === 'parse'), JSON.stringify(text));
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('takes exactly the grids the core searches, nines included, and names both forms when the form is wrong', function () {
    fc.assert(
      fc.property(gridText, (text) => {
        assert.equal(validateGridText(text) === undefined, coreGridVerdict(text).kind !== 'refused', JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
    const { settings, problems } = readSettings((key) => (key === 'grid' ? 'NINES' : undefined));
    assert.deepEqual(problems, []);
    assert.equal(settings.grid, 'NINES');
    assert.equal(validateGridText('nine'), "Grid 'nine' is not of the form from:to:step (for example 99:100:0.01) or nines (99, 99.9, 99.99, … then 100).");
  });

  it('a bad value keeps its default and is named with what was expected', function () {
    const raw: Record<string, unknown> = { bits: 17, range: 'symmetric', percentile: 40, grid: '1:2', objective: 'rmse', 'diagnostics.maxPerFile': -1, 'diagnostics.errorThreshold': 'big' };
    const { settings, problems } = readSettings((key) => raw[key]);
    assert.deepEqual(settings, defaultSettings);
    assert.equal(problems.length, 7);
    assert.match(problems[0], /^Setting clipwise\.bits is 17: expected an integer from 2 to 16\. Using 8\.$/);
    assert.ok(problems.some((p) => p.startsWith('Setting clipwise.grid is "1:2": Grid \'1:2\' is not of the form from:to:step')));
  });

  it('accepts a threshold of null or a number, and a custom grid', function () {
    const raw: Record<string, unknown> = { 'diagnostics.errorThreshold': 0.5, grid: '99.9:100:0.001', bits: 4 };
    const { settings, problems } = readSettings((key) => raw[key]);
    assert.deepEqual(problems, []);
    assert.equal(settings.diagnostics.errorThreshold, 0.5);
    assert.equal(settings.grid, '99.9:100:0.001');
    assert.equal(settings.bits, 4);
  });

  it('checks input boxes as the user types, in the core\'s words', function () {
    assert.equal(validateBitsText('8'), undefined);
    assert.equal(validateBitsText(' 16 '), undefined);
    assert.match(String(validateBitsText('1')), /from 2 to 16; got 1/);
    assert.match(String(validateBitsText('8.5')), /whole number/);
    assert.equal(validatePercentileText('99.5'), undefined);
    assert.match(String(validatePercentileText('50')), /greater than 50/);
    assert.match(String(validateGridText('100:99:0.1')), /above its end/);
    assert.match(String(validateGridText('40:100:1')), /outside \(50, 100\]/);
    assert.match(String(validateGridText('99:100:0')), /step must be positive/);
  });

  it('maps the panel\'s controls to the core\'s options, "best of grid" through the search\'s best', function () {
    const base = panelSettingsFrom(defaultSettings, 't');
    assert.deepEqual(quantizeOptionsOf(base), { bits: 8, range: 'percentile', percentile: 99 });
    assert.deepEqual(quantizeOptionsOf({ ...base, range: 'minmax' }), { bits: 8, range: 'minmax', percentile: 99 });
    assert.deepEqual(quantizeOptionsOf({ ...base, range: 'bestOfGrid' }, 99.97), { bits: 8, range: 'percentile', percentile: 99.97 });
    assert.deepEqual(quantizeOptionsOf({ ...base, range: 'bestOfGrid' }, null).range, 'minmax');
    assert.deepEqual(quantizeOptionsOf({ ...base, range: 'bestOfGrid' }), { bits: 8, range: 'percentile', percentile: 99 });
  });
});
