/**
 * Integration and e2e suites need a real Redis and the built service (dist/). Fail fast with a clear line when
 * either is missing instead of letting every test time out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Redis from 'ioredis';

export default async function globalSetup(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Integration tests need Redis at ${url} (start redis-server): ${String(error)}`);
  } finally {
    redis.disconnect();
  }
  const main = path.join(__dirname, '..', '..', 'dist', 'main.js');
  if (!fs.existsSync(main)) {
    throw new Error('Integration tests drive the built service: run `npm run build` first (npm test does).');
  }
}
