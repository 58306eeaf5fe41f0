import { Worker } from 'node:worker_threads';
import { CancelledError, TensorFormatError, UsageError, type ErrorLocation } from '../core/errors';
import { RpcClient, type RpcCallOptions, type RpcWireError } from '../protocol/rpc';
import type { WorkerMethods } from '../protocol/worker';
import type { DisposableLike } from './dispose';

/** A worker thread that stopped on its own: every call it was running fails with this (a bug, not the user's doing). */
export class WorkerExitedError extends Error {
  override readonly name = 'WorkerExitedError';
}

/** The worker's error back in its class: the core's errors keep their meaning at the edges. */
export function decodeWorkerError(wire: RpcWireError): Error {
  switch (wire.name) {
    case 'TensorFormatError':
      return new TensorFormatError(wire.message, (wire.data ?? {}) as ErrorLocation);
    case 'UsageError':
      return new UsageError(wire.message);
    case 'CancelledError':
      return new CancelledError();
    default: {
      const err = new Error(wire.message);
      err.name = wire.name;
      if (wire.stack !== undefined) err.stack = wire.stack;
      return err;
    }
  }
}

/** What the client reports about its worker's life, for the log. */
export interface WorkerClientEvents {
  readonly onStart?: () => void;
  readonly onExit?: (code: number, error: Error | undefined) => void;
}

/**
 * The host's end of a numerics worker (dist/worker.js): started on the first call, restarted on the
 * next call after it exits (every pending call is then rejected), terminated on dispose.
 */
export class WorkerClient implements DisposableLike {
  private worker: Worker | undefined;
  private lastError: Error | undefined;
  private isDisposed = false;
  private readonly rpc: RpcClient<WorkerMethods>;

  constructor(
    private readonly scriptPath: string,
    private readonly name: string,
    private readonly events: WorkerClientEvents = {},
  ) {
    const port = { postMessage: (message: unknown, transfer?: readonly ArrayBuffer[]) => this.start().postMessage(message, transfer as ArrayBuffer[]) };
    this.rpc = new RpcClient<WorkerMethods>(port, decodeWorkerError, () => new CancelledError());
  }

  /** Runs `method` in the worker; cancelling `options.signal` rejects with CancelledError. */
  call<K extends keyof WorkerMethods & string>(method: K, params: WorkerMethods[K]['params'], options: RpcCallOptions = {}): Promise<WorkerMethods[K]['result']> {
    if (this.isDisposed) return Promise.reject(new CancelledError());
    const worker = this.start();
    // Referenced while calls are pending, so that a plain Node process waits for the answers.
    worker.ref();
    const done = (): void => {
      if (this.rpc.pendingCount === 0) this.worker?.unref();
    };
    const call = this.rpc.call(method, params, options);
    call.then(done, done);
    return call;
  }

  /** True while a worker thread is running. */
  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the worker; pending calls reject with CancelledError. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.rpc.close(new CancelledError());
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(this.scriptPath, { name: this.name });
    this.worker = worker;
    this.lastError = undefined;
    this.rpc.reopen();
    worker.on('message', (message: unknown) => this.rpc.receive(message));
    worker.on('error', (err: Error) => (this.lastError = err));
    worker.on('exit', (code: number) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const cause = this.lastError;
      this.events.onExit?.(code, cause);
      const detail = cause ? `: ${cause.message}` : '';
      const error = new WorkerExitedError(`The ${this.name} worker stopped (exit code ${code})${detail}.`);
      if (cause?.stack) error.stack = `${error.name}: ${error.message}\n${cause.stack}`;
      this.rpc.close(error);
    });
    worker.unref();
    this.events.onStart?.();
    return worker;
  }
}
