/**
 * What `wa/contacts pull` may be asked, with WAHA's app's names and defaults (waha-chatwoot.md §1.5,
 * src/apps/chatwoot/cli/program.contacts.ts): avatars only when asked (`--avatar` alone is `if-missing`), names left
 * alone unless `--update-names`, groups and @lid contacts only when asked, attributes written unless
 * `--no-attributes`, 100 contacts a page, a report every 100, 6 attempts, 10 minutes an attempt, 0.1 s between
 * contacts and 1 s between pages.
 */
export type AvatarMode = 'no' | 'if-missing' | 'update';
export type NameMode = 'no' | 'if-raw' | 'always';

export const AVATAR_MODES: readonly AvatarMode[] = ['if-missing', 'update'];
export const NAME_MODES: readonly NameMode[] = ['no', 'if-raw', 'always'];

export interface ContactsOptions {
  avatar: AvatarMode;
  updateNames: NameMode;
  groups: boolean;
  lids: boolean;
  /** False with `--no-attributes`: contacts that exist keep their attributes as they are. */
  attributes: boolean;
  batch: number;
  /** A progress report every this many contacts; 0 = none. */
  progress: number;
  /** Tries of the whole pull when WAHA or ChatWoot stop answering, each from where the last one stopped. */
  attempts: number;
  /** How long one attempt runs before it hands over to the next (resuming where it stopped, not spending one). */
  timeoutMs: number;
  delayContactMs: number;
  delayBatchMs: number;
}

export const CONTACTS_LIMITS = {
  batch: { min: 1, max: 1000 },
  // 0 = no progress reports; below 10 a report per contact or two would flood the conversation.
  progress: { min: 10, max: 1_000_000 },
  attempts: { min: 1, max: 100 },
} as const;

/** Longest delays accepted between contacts and between pages. */
export const MAX_CONTACT_DELAY_MS = 60_000;
export const MAX_BATCH_DELAY_MS = 10 * 60_000;
/** Shortest attempt accepted: shorter would hand over before a page is done. */
export const MIN_CONTACTS_TIMEOUT_MS = 10_000;

export function defaultContactsOptions(): ContactsOptions {
  return {
    avatar: 'no',
    updateNames: 'no',
    groups: false,
    lids: false,
    attributes: true,
    batch: 100,
    progress: 100,
    attempts: 6,
    timeoutMs: 10 * 60_000,
    delayContactMs: 100,
    delayBatchMs: 1_000,
  };
}

/** Same work asked: a stopped or failed pull with these options is resumed rather than started again. */
export function sameContactsOptions(a: ContactsOptions, b: ContactsOptions): boolean {
  return a.avatar === b.avatar && a.updateNames === b.updateNames && a.groups === b.groups && a.lids === b.lids && a.attributes === b.attributes;
}
