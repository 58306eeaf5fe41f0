import { strict as assert } from 'node:assert';
import { prefaultedInt32Array } from '../../../src/host/prefaultedBuffer';

describe('prefaulted sort buffers', function () {
  it('gives nothing for a small tensor, and for a large one either nothing or shared zeros of its size', async function () {
    assert.equal(prefaultedInt32Array(1000), undefined);
    const a = prefaultedInt32Array(3 << 20);
    if (a === undefined) return; // one core, or every core busy: the sort allocates for itself
    assert.equal(a.length, 3 << 20);
    assert.ok(a.buffer instanceof SharedArrayBuffer);
    // Values written while the worker touches the pages stay as written.
    for (let i = 0; i < a.length; i += 997) a[i] = i;
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < a.length; i += 997) assert.equal(a[i], i);
    assert.equal(a[1], 0);
  });
});
