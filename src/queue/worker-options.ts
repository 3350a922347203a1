/**
 * Worker settings shared by every processor. Locks are short so a killed worker's jobs return to the queue within
 * seconds; a job that stalls is retried many times because a stall means a dead process, not a bad job.
 */
import * as os from 'node:os';
import type { NestWorkerOptions } from '@nestjs/bullmq/dist/interfaces/worker-options.interface';

export const WORKER_OPTIONS: NestWorkerOptions = {
  autorun: false,
  // Recorded on every job it processes (BullMQ's processedBy): shows which process did what.
  name: `${os.hostname()}:${process.pid}`,
  lockDuration: 10_000,
  stalledInterval: 3_000,
  maxStalledCount: 50,
};
