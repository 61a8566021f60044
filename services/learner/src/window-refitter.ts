import { Worker } from 'node:worker_threads';
import { RuntimeError } from '@foresight/messaging';
import type { IncidentOutcome, ModelParameters, WindowRefitOptions } from '@foresight/core';

/** What a refit worker is given (plain data: structured-cloned into the worker). */
export interface RefitJob {
  readonly stepped: ModelParameters;
  readonly window: readonly IncidentOutcome[];
  readonly options: WindowRefitOptions;
}

/**
 * core `refitOnWindow` on a worker thread: a 400-incident window takes about half a second of CPU, which on the
 * learner's own thread would stall its consumers (and, in `foresight run all`, every service of the process).
 * The result is the same model the call would return on this thread.
 */
export function refitOffThread(job: RefitJob): Promise<ModelParameters> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./refit-worker.js', import.meta.url), { workerData: job });
    let settled = false;
    worker.once('message', (model: ModelParameters) => {
      settled = true;
      resolve(model);
    });
    worker.once('error', (cause) => {
      settled = true;
      reject(new RuntimeError('HANDLER_RETRIABLE', `window refit failed: ${cause.message}`, { cause }));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new RuntimeError('HANDLER_RETRIABLE', `window refit worker exited with code ${code} before answering`));
    });
  });
}
