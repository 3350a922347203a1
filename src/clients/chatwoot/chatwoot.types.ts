/** The parts of ChatWoot's Application API wire format the bridge reads. */
export interface CwContactInbox {
  source_id: string;
  inbox?: { id: number } | null;
}

export interface CwContact {
  id: number;
  name: string | null;
  identifier: string | null;
  phone_number: string | null;
  email?: string | null;
  custom_attributes: Record<string, unknown>;
  contact_inboxes?: CwContactInbox[];
  /** The avatar's URL; empty without one (app/views/api/v1/models/_contact.json.jbuilder: `thumbnail`). */
  thumbnail?: string | null;
}

export interface CwConversation {
  id: number;
  inbox_id: number;
  status: string;
  meta?: { sender?: CwContact };
  contact_inbox?: { source_id: string };
}

export type CwMessageTypeName = 'incoming' | 'outgoing' | 'activity' | 'template';

export interface CwMessage {
  id: number;
  content: string | null;
  conversation_id: number;
  message_type: number | CwMessageTypeName;
  private: boolean;
  source_id: string | null;
  content_attributes?: Record<string, unknown>;
  created_at: number | string;
  attachments?: Array<{ id: number; file_type: string; data_url?: string }>;
}

export interface CwInbox {
  id: number;
  name: string;
  channel_type: string;
  inbox_identifier?: string;
  webhook_url?: string | null;
}

export interface CwFilterCondition {
  attribute_key: string;
  filter_operator: 'equal_to' | 'contains';
  values: string[];
  query_operator: 'OR' | 'AND' | null;
}

export interface CwNewMessage {
  content: string;
  message_type: CwMessageTypeName;
  private?: boolean;
  source_id?: string;
  /**
   * When the message was really sent (unix seconds). Read top-level by ChatWoot's Messages::MessageBuilder and
   * stored as content_attributes.external_created_at (app/builders/messages/message_builder.rb).
   */
  external_created_at?: number;
  content_attributes?: Record<string, unknown>;
}

export interface CwAttachmentUpload {
  filename: string;
  mimetype: string;
  /** The file as downloaded (one Blob, sent as it is: never copied again). */
  data: Blob;
}

export interface CwCustomAttributeDefinition {
  id: number;
  attribute_key: string;
  attribute_model: string | number;
}
