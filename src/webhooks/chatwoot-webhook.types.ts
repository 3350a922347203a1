/** The fields of ChatWoot's webhook payloads the bridge reads (see chatwoot-api.md §3.3/3.4). */
export interface ChatwootWebhookContact {
  id?: number;
  identifier?: string | null;
  phone_number?: string | null;
  name?: string | null;
  custom_attributes?: Record<string, unknown> | null;
  type?: string;
}

export interface ChatwootWebhookBody {
  event?: string;
  id?: number;
  content?: string | null;
  created_at?: string | number;
  message_type?: string | number;
  content_type?: string;
  content_attributes?: Record<string, unknown> | null;
  private?: boolean;
  source_id?: string | null;
  sender?: { id?: number; name?: string; email?: string | null; type?: string } | null;
  inbox?: { id?: number } | null;
  attachments?: Array<{ id?: number; file_type?: string; data_url?: string; extension?: string | null; content_type?: string | null }>;
  conversation?: {
    id?: number;
    inbox_id?: number;
    status?: string;
    meta?: { sender?: ChatwootWebhookContact | null } | null;
    contact_inbox?: { source_id?: string | null } | null;
  } | null;
}
