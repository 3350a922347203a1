/**
 * The service's own Redis connection and its durability check, for every module (BullMQ's connections are made by
 * the queue module).
 */
import { Global, Module } from '@nestjs/common';
import { RedisDurabilityCheck } from './redis-durability';
import { RedisService } from './redis.service';

@Global()
@Module({ providers: [RedisService, RedisDurabilityCheck], exports: [RedisService, RedisDurabilityCheck] })
export class RedisModule {}
