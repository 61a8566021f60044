// Worker thread body of refitOffThread: one window refit (pure, CPU-bound), posted back to the learner.
import { parentPort, workerData } from 'node:worker_threads';
import { refitOnWindow } from '@foresight/core';
import type { RefitJob } from './window-refitter.js';

const job = workerData as RefitJob;
parentPort?.postMessage(refitOnWindow(job.stepped, job.window, job.options));
