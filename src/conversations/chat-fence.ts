/**
 * A fence on the writer: while a chat's history is being imported, its live messages wait, so the conversation
 * reads in WhatsApp's order. The pull provides it (it knows which chats it still has to import) and the live relay
 * asks it; the interface lives here, below both, so neither imports the other.
 */
export interface ChatFence {
  /** True while live events of this chat must wait (an import of its history is planned or running). */
  isFenced(appId: string, chatId: string): Promise<boolean>;
}

export const CHAT_FENCE = Symbol('CHAT_FENCE');
