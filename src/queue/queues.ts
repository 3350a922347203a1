/**
 * Queue producers, injected by name. Job options live here so every producer uses the same policy.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { JobDataMap, JobName, QueueName } from './queue.constants';

export const KEEP_FINISHED = { removeOnComplete: { age: 3 * 24 * 3600, count: 2000 }, removeOnFail: { age: 31 * 24 * 3600, count: 5000 } };

@Injectable()
export class Queues {
  constructor(
    @InjectQueue(QueueName.Commands) readonly commands: Queue,
    @InjectQueue(QueueName.Pull) readonly pull: Queue,
    @InjectQueue(QueueName.Inbox) readonly inbox: Queue,
    @InjectQueue(QueueName.WhatsApp) readonly whatsapp: Queue,
  ) {}

  byName(name: QueueName): Queue {
    switch (name) {
      case QueueName.Commands:
        return this.commands;
      case QueueName.Pull:
        return this.pull;
      case QueueName.Inbox:
        return this.inbox;
      case QueueName.WhatsApp:
        return this.whatsapp;
    }
  }

  async add<N extends JobName>(queue: QueueName, name: N, data: JobDataMap[N], opts: JobsOptions = {}): Promise<void> {
    await this.byName(queue).add(name, data, { ...KEEP_FINISHED, ...opts });
  }
}
