/** The life of a pull: planning → running → (stopping) → finishing → completed | stopped | failed. */
export type PullState = 'planning' | 'running' | 'stopping' | 'finishing' | 'completed' | 'stopped' | 'failed';

const TERMINAL: ReadonlySet<PullState> = new Set(['completed', 'stopped', 'failed']);

/** True once a pull has ended: nothing of it runs any more and its slot is free. */
export function isTerminal(state: PullState): boolean {
  return TERMINAL.has(state);
}

/** A chat's checkpoint state once its import ended (empty while it runs). */
export type ChatState = '' | 'done' | 'failed' | 'stopped';

export function isChatFinished(state: string): boolean {
  return state === 'done' || state === 'failed' || state === 'stopped';
}
