import type { WahaMessage } from '../clients/waha/waha.types';
import type { AgentMessage } from './agent-message';
import type { ReadReceipt } from './read-receipts';
import type { WhatsAppUpdate } from '../clients/waha/waha-updates';

/** An agent's message to send to WhatsApp (inbox lane, one lane per conversation). */
export type InboxEvent =
  | {
      kind: 'agent-message';
      message: AgentMessage;
      /** The agent pressed Retry on it in ChatWoot (after our webhook failed, or after it failed for good). */
      retry?: boolean;
    }
  /** The agent deleted a message in ChatWoot: what the bridge sent of it is revoked on WhatsApp. */
  | { kind: 'agent-delete'; message: AgentMessage };

/** A WhatsApp event to bring into ChatWoot (whatsapp lane, one lane per chat). */
export type WhatsAppEvent =
  | { kind: 'message'; message: WahaMessage; receivedAt: number }
  | { kind: 'update'; update: WhatsAppUpdate; receivedAt: number }
  | { kind: 'read'; receipt: ReadReceipt }
  | { kind: 'session-status'; status: string; session: string };
