import { CancelledError, TensorFormatError, UsageError } from '../../core/errors';
import type { RpcWireError } from '../../protocol/rpc';

/** An error as it crosses to the host: the core's classes keep their name and location; anything else keeps its stack. */
export function encodeWorkerError(err: unknown): RpcWireError {
  if (err instanceof TensorFormatError) return { name: err.name, message: err.message, data: err.location };
  if (err instanceof UsageError || err instanceof CancelledError) return { name: err.name, message: err.message };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}
