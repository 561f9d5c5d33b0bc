import nodePath = require('node:path');
import nodeUrl = require('node:url');
import workerThreads = require('node:worker_threads');

/**
 * jscodeshift `require`s its transform after installing `@babel/register` for the whole process
 * (unless run with `--no-babel`). That hook compiles every CommonJS file loaded afterwards,
 * ts-morph and TypeScript included, and fails on them; it also turns `import()` into `require`.
 * So the published transform is this small CommonJS module, and the codemod itself runs in a
 * worker thread, where no hook is installed. A worker is started lazily, once per jscodeshift
 * worker process, and keeps its ts-morph projects between files.
 */

namespace threadedTransform {
  export interface ThreadedTransformWorkerData {
    moduleUrl: string;
    exportName: string;
  }

  export interface ThreadedTransformRequest {
    id: number;
    fileInfo: { path: string; source: string };
    options: Record<string, unknown>;
  }

  export type ThreadedTransformResponse =
    | { id: number; kind: 'report'; message: string }
    | { id: number; kind: 'done'; output?: string }
    | { id: number; kind: 'error'; message: string };

  export type Transform = (
    fileInfo: { path: string; source: string },
    api: { report?: (message: string) => void },
    options: Record<string, unknown>,
  ) => Promise<string | undefined>;

  interface PendingRequest {
    resolve: (output: string | undefined) => void;
    reject: (error: Error) => void;
    report: ((message: string) => void) | undefined;
  }

  /**
   * A jscodeshift transform running the codemod exported as `exportName` from the ES module at
   * `modulePath` (an absolute path) in a worker thread.
   */
  export function createThreadedTransform(modulePath: string, exportName = 'default'): Transform {
    let worker: workerThreads.Worker | undefined;
    let nextId = 0;
    const pending = new Map<number, PendingRequest>();

    const failAll = (error: Error): void => {
      for (const request of pending.values()) request.reject(error);
      pending.clear();
      worker = undefined;
    };

    const start = (): workerThreads.Worker => {
      const data: ThreadedTransformWorkerData = { moduleUrl: nodeUrl.pathToFileURL(modulePath).href, exportName };
      const started = new workerThreads.Worker(nodePath.join(__dirname, 'transform-worker.js'), { workerData: data });
      started.on('message', (response: ThreadedTransformResponse) => {
        const request = pending.get(response.id);
        if (request === undefined) return;
        if (response.kind === 'report') {
          request.report?.(response.message);
          return;
        }
        pending.delete(response.id);
        // An idle worker must not keep jscodeshift's process alive once every file is done.
        if (pending.size === 0) started.unref();
        if (response.kind === 'done') request.resolve(response.output);
        else request.reject(new Error(response.message));
      });
      started.on('error', failAll);
      started.on('exit', (code) => {
        failAll(new Error(`the codemod worker exited with code ${String(code)}`));
      });
      return started;
    };

    return (fileInfo, api, options) =>
      new Promise((resolvePromise, rejectPromise) => {
        worker ??= start();
        worker.ref();
        nextId += 1;
        pending.set(nextId, { resolve: resolvePromise, reject: rejectPromise, report: api.report });
        // Only plain data crosses the thread boundary.
        const plainOptions = JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
        worker.postMessage({ id: nextId, fileInfo: { path: fileInfo.path, source: fileInfo.source }, options: plainOptions } satisfies ThreadedTransformRequest);
      });
  }
}

export = threadedTransform;
