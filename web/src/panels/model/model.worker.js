// The Model panel's Web Worker: keeps the test images and one model and runs
// the panel's jobs (session.js) with its own quantlab instance, so a long
// evaluation never blocks the page. A { cancel: id } message stops a running
// evaluation between two batches (see shared/job-worker.js).
import { serveJobs } from '../../shared/job-worker.js';
import { createModelSession } from './session.js';

serveJobs(createModelSession);
