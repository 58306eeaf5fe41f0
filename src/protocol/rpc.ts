/**
 * A small typed request/response helper over any postMessage channel (a worker_threads Worker and
 * its parentPort here). Every request is answered by its result or by `failed` with the same id; a
 * request can be cancelled; a closed channel rejects everything pending. No imports: both ends use it.
 */

/** One method of a channel: what it takes and what it answers. */
export interface RpcMethod {
  readonly params: unknown;
  readonly result: unknown;
}

/** The methods of a channel, by name. */
export type RpcMethods<M> = { readonly [K in keyof M]: RpcMethod };

/** An error as it crosses the channel: its class name, message, stack and any data the class carries. */
export interface RpcWireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly data?: unknown;
}

/** Messages on the channel. */
export type RpcMessage =
  /** Caller → server: run `method`. `cancelFlag` (4 bytes, shared) is set to 1 to cancel work that never yields. */
  | { readonly type: 'request'; readonly id: number; readonly method: string; readonly params: unknown; readonly cancelFlag?: SharedArrayBuffer }
  /** Caller → server: stop request `id`; it is still answered (by `failed` with a CancelledError). */
  | { readonly type: 'cancel'; readonly id: number }
  /** Server → caller: the answer to request `id`. */
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  /** Server → caller: request `id` failed. */
  | { readonly type: 'failed'; readonly id: number; readonly error: RpcWireError }
  /** Server → caller: fraction (0..1) of request `id` done. */
  | { readonly type: 'progress'; readonly id: number; readonly fraction: number };

/** The sending half of a channel. */
export interface RpcPort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/** True for a well-formed channel message. */
export function isRpcMessage(x: unknown): x is RpcMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  switch (m.type) {
    case 'request':
      return typeof m.method === 'string' && (m.cancelFlag === undefined || m.cancelFlag instanceof SharedArrayBuffer);
    case 'cancel':
      return true;
    case 'result':
      return 'result' in m;
    case 'failed':
      return typeof m.error === 'object' && m.error !== null && typeof (m.error as RpcWireError).message === 'string';
    case 'progress':
      return typeof m.fraction === 'number';
    default:
      return false;
  }
}

/** How a call is watched and stopped. */
export interface RpcCallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number) => void;
  /** Buffers moved (not copied) to the server with the params. */
  readonly transfer?: readonly ArrayBuffer[];
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onProgress?: (fraction: number) => void;
  readonly detach: () => void;
}

/** The calling end: `call` sends a request and settles when its answer arrives. */
export class RpcClient<M extends RpcMethods<M>> {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private closedError: unknown;

  /**
   * @param port where requests go; feed every incoming message to `receive`.
   * @param decodeError turns a wire error back into an Error of the right class.
   * @param cancelledError the error a cancelled call rejects with when the signal is already aborted.
   */
  constructor(
    private readonly port: RpcPort,
    private readonly decodeError: (wire: RpcWireError) => Error,
    private readonly cancelledError: () => Error,
  ) {}

  /** Calls `method`; rejects with the server's error, with `cancelledError()` on abort, or when the channel closes. */
  call<K extends keyof M & string>(method: K, params: M[K]['params'], options: RpcCallOptions = {}): Promise<M[K]['result']> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.cancelledError());
    const id = this.nextId++;
    const cancelFlag = new SharedArrayBuffer(4);
    return new Promise<M[K]['result']>((resolve, reject) => {
      const onAbort = (): void => {
        Atomics.store(new Int32Array(cancelFlag), 0, 1);
        this.port.postMessage({ type: 'cancel', id } satisfies RpcMessage);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress,
        detach: () => signal?.removeEventListener('abort', onAbort),
      });
      try {
        this.port.postMessage({ type: 'request', id, method, params, cancelFlag } satisfies RpcMessage, options.transfer);
      } catch (err) {
        this.settle(id)?.reject(err);
      }
    });
  }

  /** Handles one message from the server; returns false when it was not an answer of this client. */
  receive(message: unknown): boolean {
    if (!isRpcMessage(message)) return false;
    switch (message.type) {
      case 'result':
        this.settle(message.id)?.resolve(message.result);
        return true;
      case 'failed':
        this.settle(message.id)?.reject(this.decodeError(message.error));
        return true;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.fraction);
        return true;
      default:
        return false;
    }
  }

  /** Rejects every pending call with `error`; later calls reject with it too until `reopen`. */
  close(error: unknown): void {
    this.closedError = error;
    const calls = [...this.pending.keys()];
    for (const id of calls) this.settle(id)?.reject(error);
  }

  /** Accepts calls again after `close` (a new channel was attached). */
  reopen(): void {
    this.closedError = undefined;
  }

  /** Number of calls awaiting an answer. */
  get pendingCount(): number {
    return this.pending.size;
  }

  private settle(id: number): PendingCall | undefined {
    const call = this.pending.get(id);
    if (call === undefined) return undefined;
    this.pending.delete(id);
    call.detach();
    return call;
  }
}

/** What a handler receives besides its params. */
export interface RpcJobControl {
  /** Becomes aborted when the caller cancels; checked synchronously, so loops that never yield see it. */
  readonly signal: { readonly aborted: boolean };
  readonly onProgress: (fraction: number) => void;
  /** Moves these buffers to the caller with the result instead of copying them. */
  transfer(...buffers: ArrayBuffer[]): void;
}

/** The handlers of a server, one per method. */
export type RpcHandlers<M extends RpcMethods<M>> = {
  readonly [K in keyof M]: (params: M[K]['params'], control: RpcJobControl) => Promise<M[K]['result']> | M[K]['result'];
};

/** Least time between two progress messages of one request. */
export const progressIntervalMs = 50;

/**
 * The serving end: returns the function to feed every incoming message to. Each request runs its
 * handler and is answered exactly once; a thrown error is answered with `encodeError(err)`.
 */
export function serveRpc<M extends RpcMethods<M>>(
  port: RpcPort,
  handlers: RpcHandlers<M>,
  encodeError: (err: unknown) => RpcWireError,
  now: () => number = Date.now,
): (message: unknown) => void {
  const cancelled = new Set<number>();
  const running = new Set<number>();
  return (message: unknown): void => {
    if (!isRpcMessage(message)) return;
    if (message.type === 'cancel') {
      if (running.has(message.id)) cancelled.add(message.id);
      return;
    }
    if (message.type !== 'request') return;
    const { id, method, params, cancelFlag } = message;
    const flag = cancelFlag ? new Int32Array(cancelFlag) : undefined;
    const transfers: ArrayBuffer[] = [];
    let lastProgressMs = -Infinity;
    const control: RpcJobControl = {
      signal: {
        get aborted(): boolean {
          return cancelled.has(id) || (flag !== undefined && Atomics.load(flag, 0) !== 0);
        },
      },
      onProgress: (fraction) => {
        const t = now();
        if (fraction < 1 && t - lastProgressMs < progressIntervalMs) return;
        lastProgressMs = t;
        port.postMessage({ type: 'progress', id, fraction } satisfies RpcMessage);
      },
      transfer: (...buffers) => transfers.push(...buffers),
    };
    running.add(id);
    const finish = (): void => {
      running.delete(id);
      cancelled.delete(id);
    };
    const handler = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method as keyof M] : undefined;
    Promise.resolve()
      .then(() => {
        if (handler === undefined) throw new Error(`Unknown method '${method}'.`);
        return handler(params as M[keyof M]['params'], control);
      })
      .then(
        (result) => {
          finish();
          try {
            port.postMessage({ type: 'result', id, result } satisfies RpcMessage, transfers);
          } catch (err) {
            port.postMessage({ type: 'failed', id, error: encodeError(err) } satisfies RpcMessage);
          }
        },
        (err: unknown) => {
          finish();
          port.postMessage({ type: 'failed', id, error: encodeError(err) } satisfies RpcMessage);
        },
      );
  };
}
