// Starts the webhook baseline (webhook-baseline-worker.ts) in a worker thread of this process.
// A worker's entry file is loaded before --import hooks apply to it, so the worker first
// registers tsx (as bin/gantry.js does) and then imports the TypeScript entry.

import { Worker } from 'node:worker_threads';

export interface BaselineWebhookServer {
  url: string;
  /** Stops the server; answers how many deliveries it accepted. */
  stop(): Promise<number>;
}

export function startBaselineWebhookServer(secret: string): Promise<BaselineWebhookServer> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./webhook-baseline-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, execArgv: [], workerData: { secret } });
  // A benchmark that fails half-way must still end: the worker never keeps the process alive.
  worker.unref();
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', ({ url }: { url: string }) => {
      worker.off('error', reject);
      resolve({
        url,
        stop: () =>
          new Promise<number>((done, fail) => {
            worker.once('error', fail);
            worker.on('message', (message: { stopped?: boolean; accepted?: number }) => {
              if (!message.stopped) return;
              void worker.terminate().then(() => done(message.accepted ?? 0));
            });
            worker.postMessage('stop');
          }),
      });
    });
  });
}
