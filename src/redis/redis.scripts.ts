/** Scripts shared by every owner of a lock or slot key. */
import { defineScript } from './redis-script';

/** Deletes the key only while it still holds the caller's token (releasing a lock or slot the caller owns). */
export const DELETE_IF_EQUAL = defineScript({
  name: 'delete-if-equal',
  keys: ['key'],
  args: ['token'],
  lua: "if redis.call('GET', K.key) == A.token then return redis.call('DEL', K.key) end return 0",
});

/**
 * Raises a hash's `lastReported` to the mark if it was below it: 1 when this caller won the right to report that
 * mark (a progress report of a pull posted once, whichever worker crossed it).
 */
export const CLAIM_REPORT = defineScript({
  name: 'claim-report',
  keys: ['record'],
  args: ['mark'],
  lua: `
local reported = tonumber(redis.call('HGET', K.record, 'lastReported') or '0')
if reported < tonumber(A.mark) then
  redis.call('HSET', K.record, 'lastReported', A.mark)
  return 1
end
return 0`,
});
