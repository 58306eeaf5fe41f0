import { strict as assert } from 'node:assert';
import { DisposableStore, toDisposable } from '../../../src/extension/dispose';
import { internalErrorMessage, judgeError, logLine } from '../../../src/extension/errorText';
import { CancelledError, TensorFormatError, UsageError } from '../../../src/core/errors';

describe('DisposableStore and error verdicts', function () {
  it('disposes newest first, once, and at once what comes after', function () {
    const order: string[] = [];
    const store = new DisposableStore();
    const a = store.add(toDisposable(() => order.push('a')));
    store.add({ dispose: () => { throw new Error('one failing dispose'); } });
    store.add(toDisposable(() => order.push('b')));
    assert.equal(typeof a.dispose, 'function');
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['b', 'a']);
    store.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['b', 'a', 'late']);
    assert.ok(store.isDisposed);
  });

  it('sorts errors: cancelled is silent, the user\'s names the file, anything else points at the log', function () {
    assert.deepEqual(judgeError(new CancelledError(), 'w.npy'), { kind: 'cancelled' });
    assert.deepEqual(judgeError(new TensorFormatError('w.npy is truncated.'), 'w.npy'), { kind: 'user', message: 'w.npy is truncated.' });
    assert.deepEqual(judgeError(new UsageError('Bits must be an integer from 2 to 16; got 1.'), 'w.npy'), {
      kind: 'user',
      message: 'w.npy: Bits must be an integer from 2 to 16; got 1.',
    });
    assert.deepEqual(judgeError(new TypeError('x is undefined'), 'w.npy'), { kind: 'bug', message: internalErrorMessage });
    assert.match(logLine('Quantize Tensor', 'w.npy', new TypeError('boom')), /^Quantize Tensor \(w\.npy\) failed with an internal error: TypeError: boom\n\s+at /);
  });
});
