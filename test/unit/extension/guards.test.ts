import { strict as assert } from 'node:assert';
import { isFromWebview, isWebviewState, maxTextChars } from '../../../src/protocol/guards';
import type { FromWebview, PanelSettings } from '../../../src/protocol/webview';

const settings: PanelSettings = { tensor: 'w', bits: 8, range: 'percentile', percentile: 99, grid: '99:100:0.01', objective: 'mse' };

describe('guards: the host checks every message of the page', function () {
  it('accepts each well-formed message', function () {
    const messages: FromWebview[] = [
      { type: 'ready' },
      { type: 'quantize', requestId: 1, settings },
      { type: 'runSearch', requestId: 2, settings: { ...settings, range: 'bestOfGrid', objective: 'sqnrDb' } },
      { type: 'cancel', requestId: 2 },
      { type: 'export', requestId: 3, kind: 'codesNpy', settings },
      { type: 'export', requestId: 4, kind: 'pythonSnippet', settings: { ...settings, range: 'minmax' } },
    ];
    for (const m of messages) assert.ok(isFromWebview(m), JSON.stringify(m));
  });

  it('refuses anything else', function () {
    const bad: unknown[] = [
      null, 'ready', [], { type: 'show' }, { type: 'quantize', settings },
      { type: 'quantize', requestId: 0, settings },
      { type: 'quantize', requestId: 1.5, settings },
      { type: 'quantize', requestId: '1', settings },
      { type: 'quantize', requestId: 1, settings: { ...settings, bits: '8' } },
      { type: 'quantize', requestId: 1, settings: { ...settings, bits: 8.5 } },
      { type: 'quantize', requestId: 1, settings: { ...settings, range: 'symmetric' } },
      { type: 'quantize', requestId: 1, settings: { ...settings, percentile: NaN } },
      { type: 'quantize', requestId: 1, settings: { ...settings, objective: 'rmse' } },
      { type: 'quantize', requestId: 1, settings: { ...settings, tensor: 'x'.repeat(maxTextChars + 1) } },
      { type: 'quantize', requestId: 1, settings: { tensor: 'w' } },
      { type: 'export', requestId: 1, kind: 'pickle', settings },
      { type: 'cancel' },
    ];
    for (const m of bad) assert.ok(!isFromWebview(m), JSON.stringify(m)?.slice(0, 120));
  });

  it('revives a panel only from a complete saved state', function () {
    assert.ok(isWebviewState({ fileUri: 'file:///w.npy', settings, logScale: false }));
    assert.ok(!isWebviewState({ fileUri: '', settings, logScale: false }));
    assert.ok(!isWebviewState({ fileUri: 'file:///w.npy', settings }));
    assert.ok(!isWebviewState(undefined));
  });
});
