/** The BullMQ connection and queues, the typed producers and `wa/queue` control. Workers live in the features. */
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { bullConnection, bullPrefix } from '../redis/redis-connection';
import { QueueName } from './queue.constants';
import { QueueControlService } from './queue-control.service';
import { Queues } from './queues';

const QUEUES = BullModule.registerQueue({ name: QueueName.Commands }, { name: QueueName.Pull }, { name: QueueName.Contacts }, { name: QueueName.Inbox }, { name: QueueName.WhatsApp });

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: ServiceConfig) => ({
        prefix: bullPrefix(config.redis, config.queuePrefix),
        connection: bullConnection(config.redis),
      }),
    }),
    QUEUES,
  ],
  providers: [Queues, QueueControlService],
  exports: [QUEUES, Queues, QueueControlService],
})
export class QueueModule {}
