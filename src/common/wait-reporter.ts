/**
 * Who wants to hear that a request waits out a failing upstream. A caller deep in a long task (a chat import) sets a
 * listener for everything it runs; the layers that retry on their own (the ChatWoot flow gate) tell it before each
 * wait, so the task can count waiting as progress and tell the agent about a long outage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type WaitListener = (error: unknown) => void;

const listeners = new AsyncLocalStorage<WaitListener>();

/** Runs `task` with `listener` told of every wait inside it. */
export function reportingWaits<T>(listener: WaitListener, task: () => Promise<T>): Promise<T> {
  return listeners.run(listener, task);
}

/** Tells the listener of the current task, if any, that a request waits because of `error`. */
export function reportWait(error: unknown): void {
  listeners.getStore()?.(error);
}
