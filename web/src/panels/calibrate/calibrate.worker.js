// The Calibrate panel's Web Worker: holds one float model and its quantized
// model and runs the panel's jobs (session.js: calibrate, convert, report,
// time, export) with its own quantlab instance, reporting progress stage by
// stage. A { cancel: id } message stops a job at its next check; the panel
// restarts the worker to stop one inside a long synchronous report.
import { serveJobs } from '../../shared/job-worker.js';
import { createCalibrateSession } from './session.js';

serveJobs(createCalibrateSession);
