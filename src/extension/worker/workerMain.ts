import { parentPort } from 'node:worker_threads';
import { serveRpc } from '../../protocol/rpc';
import type { WorkerMethods } from '../../protocol/worker';
import { encodeWorkerError } from './wireError';
import { createWorkerHandlers } from './workerJobs';

// The numerics worker: bundled to dist/worker.js and started by the extension host on first use.
if (parentPort === null) throw new Error('dist/worker.js runs as a worker thread of the Clipwise extension.');
const port = parentPort;
const receive = serveRpc<WorkerMethods>(port, createWorkerHandlers(), encodeWorkerError);
port.on('message', receive);
