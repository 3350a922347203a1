/**
 * Queue producers, injected by name. Every add goes through here, with the job's options from job-options.ts and
 * its data type-checked against the job name.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { JOBS, queueOf } from './job-options';
import { JobDataMap, QueueName, TypedJobName } from './queue.constants';

/** What a caller may set per job beyond the job's own options. */
export type JobOverrides = Pick<JobsOptions, 'attempts' | 'delay'>;

@Injectable()
export class Queues {
  constructor(
    @InjectQueue(QueueName.Commands) readonly commands: Queue,
    @InjectQueue(QueueName.Pull) readonly pull: Queue,
    @InjectQueue(QueueName.Contacts) readonly contacts: Queue,
    @InjectQueue(QueueName.Inbox) readonly inbox: Queue,
    @InjectQueue(QueueName.WhatsApp) readonly whatsapp: Queue,
  ) {}

  byName(name: QueueName): Queue {
    switch (name) {
      case QueueName.Commands:
        return this.commands;
      case QueueName.Pull:
        return this.pull;
      case QueueName.Contacts:
        return this.contacts;
      case QueueName.Inbox:
        return this.inbox;
      case QueueName.WhatsApp:
        return this.whatsapp;
    }
  }

  async add<N extends TypedJobName>(name: N, data: JobDataMap[N], jobId: string, overrides: JobOverrides = {}): Promise<void> {
    await this.byName(queueOf(name)).add(name, data, { ...JOBS[name].options, ...overrides, jobId });
  }

  /** Many jobs of one name in one round trip; each may carry a priority (a lower number is taken first). */
  async addBulk<N extends TypedJobName>(name: N, jobs: Array<{ data: JobDataMap[N]; jobId: string; priority?: number }>, overrides: JobOverrides = {}): Promise<void> {
    if (jobs.length === 0) return;
    const options = { ...JOBS[name].options, ...overrides };
    await this.byName(queueOf(name)).addBulk(jobs.map((job) => ({ name, data: job.data, opts: { ...options, jobId: job.jobId, ...(job.priority ? { priority: job.priority } : {}) } })));
  }
}
