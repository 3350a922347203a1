/** Addresses on the queue board (health/board.module.ts), for links in replies when PUBLIC_URL is set. */
import { QueueName } from './queue.constants';

/** Where the board is served. */
export const BOARD_ROUTE = '/admin/queues';

/** The board page of one queue, or of one job in it, under the service's public address. */
export function boardLink(publicUrl: string, queue: QueueName, jobId?: string): string {
  const base = `${publicUrl}${BOARD_ROUTE}/queue/${encodeURIComponent(queue)}`;
  return jobId ? `${base}/${encodeURIComponent(jobId)}` : base;
}
