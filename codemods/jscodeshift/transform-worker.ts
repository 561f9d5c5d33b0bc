import { parentPort, workerData } from 'node:worker_threads';

import { createJscodeshiftTransform } from '../jscodeshift.js';
import type { Codemod } from '../types.js';
import type { ThreadedTransformRequest, ThreadedTransformResponse, ThreadedTransformWorkerData } from './threaded-transform.cjs';

/**
 * The worker thread behind `threaded-transform.cts`. A thread starts without the require hooks
 * of the jscodeshift process, so ts-morph and TypeScript load here as Node ships them.
 */
const port = parentPort;
if (port === null) {
  throw new Error('transform-worker must run in a worker thread');
}
const { moduleUrl, exportName } = workerData as ThreadedTransformWorkerData;
const loaded = (await import(moduleUrl)) as Record<string, unknown>;
const codemod = loaded[exportName] as Codemod | undefined;
if (codemod === undefined || typeof codemod.run !== 'function') {
  throw new Error(`${moduleUrl} has no codemod export named '${exportName}'`);
}
const transform = createJscodeshiftTransform(codemod);

port.on('message', (request: ThreadedTransformRequest) => {
  const reply = (response: ThreadedTransformResponse): void => {
    port.postMessage(response);
  };
  try {
    const output = transform(request.fileInfo, { report: (message) => { reply({ id: request.id, kind: 'report', message }); } }, request.options);
    reply({ id: request.id, kind: 'done', ...(output !== undefined ? { output } : {}) });
  } catch (error) {
    reply({ id: request.id, kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
