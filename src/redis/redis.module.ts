/** The service's own Redis connection, for every module (BullMQ's connections are made by the queue module). */
import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
