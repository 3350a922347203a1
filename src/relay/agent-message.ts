/**
 * An agent's message to relay to WhatsApp, in our own terms. The ChatWoot webhook body is mapped into this at
 * intake (webhooks/chatwoot-webhook.mapper.ts); nothing past intake reads ChatWoot's payload.
 */
export interface AgentAttachment {
  /** Where ChatWoot serves the file. */
  url: string;
  /** ChatWoot's `file_type`: image, audio, video, file… */
  fileType?: string;
  extension?: string;
  /** The file's media type, where ChatWoot sends it (`content_type`, since early 2026). */
  contentType?: string;
}

export interface AgentMessage {
  /** The ChatWoot message id. */
  messageId: number;
  conversationId: number;
  /** The text as the agent wrote it (ChatWoot markdown). */
  content: string;
  attachments: AgentAttachment[];
  /** The agent's name (ChatWoot's sender), for AGENT_NAME_PREFIX. */
  senderName?: string;
  /** The ChatWoot message it replies to, if any. */
  inReplyTo?: number;
  /** Who the conversation's contact is on WhatsApp, as far as ChatWoot knows. */
  contact: {
    /** Chat ids from the bridge's contact attributes (or a WhatsApp-looking identifier). */
    chatIds: string[];
    phoneNumber?: string;
    /** The contact inbox's source id (WAHA's app writes the chat id there). */
    sourceId?: string;
  };
}
