/**
 * `wa/queue stop|start|status`. BullMQ pauses are global in Redis: every worker of every app on the same Redis
 * stops taking live-relay jobs. What waits in a live queue is counted by the feature that fills it (the relay
 * registers a counter of the events in its lanes), since its jobs only wake lanes up.
 */
import { Inject, Injectable } from '@nestjs/common';
import { TEXTS } from '../config/texts.provider';
import { Texts } from '../texts/texts';
import { PAUSABLE_QUEUES, QueueName, QueueTarget } from './queue.constants';
import { Queues } from './queues';

export interface QueueStatus {
  name: string;
  label: string;
  paused: boolean;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  /** The app's events that failed for good in this queue, kept for `wa/queue retry`. */
  dead: number;
}

export type WaitingCounter = () => Promise<number>;
export type DeadCounter = (appId: string) => Promise<number>;

@Injectable()
export class QueueControlService {
  private readonly waitingCounters = new Map<QueueName, WaitingCounter>();
  private readonly deadCounters = new Map<QueueName, DeadCounter>();

  constructor(
    private readonly queues: Queues,
    @Inject(TEXTS) private readonly texts: Texts,
  ) {}

  /** What a queue's `waiting` count shows, when its jobs are not what waits. */
  countWaitingWith(queue: QueueName, counter: WaitingCounter): void {
    this.waitingCounters.set(queue, counter);
  }

  /** How many of an app's events failed for good in a queue (the feature that fills it keeps them). */
  countDeadWith(queue: QueueName, counter: DeadCounter): void {
    this.deadCounters.set(queue, counter);
  }

  targets(target: QueueTarget): QueueName[] {
    if (target === 'inbox') return [QueueName.Inbox];
    if (target === 'whatsapp') return [QueueName.WhatsApp];
    return [...PAUSABLE_QUEUES];
  }

  label(name: QueueName): string {
    return this.texts.render(name === QueueName.Inbox ? 'queue.label.inbox' : 'queue.label.whatsapp');
  }

  async pause(target: QueueTarget): Promise<QueueName[]> {
    const names = this.targets(target);
    await Promise.all(names.map((n) => this.queues.byName(n).pause()));
    return names;
  }

  async resume(target: QueueTarget): Promise<QueueName[]> {
    const names = this.targets(target);
    await Promise.all(names.map((n) => this.queues.byName(n).resume()));
    return names;
  }

  async isPaused(name: QueueName): Promise<boolean> {
    return this.queues.byName(name).isPaused();
  }

  /** The queues' state; dead letters are the app's (`appId`). */
  async status(target: QueueTarget, appId: string): Promise<QueueStatus[]> {
    return Promise.all(
      this.targets(target).map(async (name) => {
        const queue = this.queues.byName(name);
        const counter = this.waitingCounters.get(name);
        const deadCounter = this.deadCounters.get(name);
        const [paused, counts, waiting, dead] = await Promise.all([
          queue.isPaused(),
          queue.getJobCounts('waiting', 'wait', 'paused', 'active', 'delayed', 'failed', 'prioritized'),
          counter ? counter() : Promise.resolve(undefined),
          deadCounter ? deadCounter(appId) : Promise.resolve(0),
        ]);
        return {
          name,
          label: this.label(name),
          paused,
          waiting: waiting ?? (counts.waiting ?? 0) + (counts.wait ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          dead,
        };
      }),
    );
  }
}
