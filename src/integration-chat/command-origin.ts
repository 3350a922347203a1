/** Where a command was typed, and so where its replies and reports go. */
export interface CommandOrigin {
  appId: string;
  conversationId: number;
  /** The ChatWoot message id of the command itself (replies quote it). */
  messageId: number;
  /** True in the WhatsApp Integration conversation; false in a customer conversation. */
  commandsChat: boolean;
  /** Chat ids of the conversation's contact (customer conversations only). */
  contactChatIds: string[];
  contactId?: number;
}
