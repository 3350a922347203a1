/** Scripts shared by every owner of a lock or slot key. */
import { defineScript } from './redis-script';

/** Deletes the key only while it still holds the caller's token (releasing a lock or slot the caller owns). */
export const DELETE_IF_EQUAL = defineScript({
  name: 'delete-if-equal',
  keys: ['key'],
  args: ['token'],
  lua: "if redis.call('GET', K.key) == A.token then return redis.call('DEL', K.key) end return 0",
});
