/**
 * A slot one job of a kind holds at a time (an app's pull, an app's contacts pull): a string key holding the
 * holder's id. A holder that ended without releasing it (a crash between its last step and the release) does not
 * keep it: `isLive` says whether the holder still runs.
 */
import { DELETE_IF_EQUAL } from './redis.scripts';
import { RedisService } from './redis.service';

/** Claims the slot for `id`; the id of the live holder when it is taken. */
export async function claimSlot(redis: RedisService, slot: string, id: string, isLive: (holder: string) => Promise<boolean>): Promise<string | undefined> {
  for (let i = 0; i < 3; i++) {
    if (await redis.client.set(slot, id, 'NX')) return undefined;
    const holder = await redis.client.get(slot);
    if (!holder) continue;
    if (await isLive(holder)) return holder;
    await redis.run(DELETE_IF_EQUAL, { key: slot }, { token: holder });
  }
  return (await redis.client.get(slot)) ?? undefined;
}

/** Gives the slot back, if `id` still holds it. */
export async function releaseSlot(redis: RedisService, slot: string, id: string): Promise<void> {
  await redis.run(DELETE_IF_EQUAL, { key: slot }, { token: id });
}
