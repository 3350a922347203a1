/**
 * The ChatWoot contact attributes the bridge reads and writes, named as WAHA's own ChatWoot app names them so
 * contacts carry over between the two (`waha_whatsapp_*`), and the identifier of the WhatsApp Integration contact.
 */

/** Identifier and `waha_whatsapp_chat_id` of the contact whose conversation takes commands and notices. */
export const INTEGRATION_CHAT_ID = 'whatsapp.integration';

/** Contact attributes holding the WhatsApp ids a contact stands for. */
export const CHAT_ID_ATTRIBUTES = ['waha_whatsapp_chat_id', 'waha_whatsapp_jid', 'waha_whatsapp_lid'] as const;

export type ChatIdAttribute = (typeof CHAT_ID_ATTRIBUTES)[number];

/** Display names of the attribute definitions the bridge creates. */
export const ATTRIBUTE_NAMES: Readonly<Record<ChatIdAttribute, string>> = {
  waha_whatsapp_chat_id: 'WhatsApp Chat ID',
  waha_whatsapp_jid: 'WhatsApp JID',
  waha_whatsapp_lid: 'WhatsApp LID',
};
