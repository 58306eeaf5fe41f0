import { strict as assert } from 'node:assert';
import { TensorFormatError } from '../../src/core/errors';

/** Asserts that `promise` rejects with a `type` (TensorFormatError unless told) whose message is `message`, or matches it. */
export async function rejectsWith(
  promise: Promise<unknown>,
  message: string | RegExp,
  type: new (...args: never[]) => Error = TensorFormatError,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof type, `expected a ${type.name}, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

/** The TensorFormatError `fn` throws; fails when it throws nothing or another error. */
export function formatErrorOf(fn: () => unknown): TensorFormatError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TensorFormatError, `expected a TensorFormatError, got ${String(err)}`);
    return err;
  }
  return assert.fail('expected an error');
}
