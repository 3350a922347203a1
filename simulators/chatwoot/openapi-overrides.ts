/**
 * What the ChatWoot simulator changes in ChatWoot's Application API document (shared/specs/chatwoot/
 * application_swagger.json, OpenAPI 3.0.4) before checking requests with it: routes the real server has that the
 * document lacks (the Client API, GET /api, contact_inboxes, message status updates, Active Storage downloads) and
 * rules the document states more strictly than Rails applies. Each entry cites chatwoot/chatwoot v4.15.1 (merge
 * commit 97bb8ecd) or the Rails code that proves it. Nothing else is changed: whatever the document says stays the
 * rule.
 */
import {
  ApiDocumentSpec,
  JsonObject,
  addOperation,
  bodySchema,
  notRequired,
  operationOf,
  propertyOf,
} from '../common/openapi-document';

const ACCOUNT = '/api/v1/accounts/{account_id}';

const pathParam = (name: string, type: 'integer' | 'string' = 'string'): JsonObject => ({
  name,
  in: 'path',
  required: true,
  schema: { type },
});

const jsonBody = (schema: JsonObject): JsonObject => ({ content: { 'application/json': { schema } } });

/** A Rails boolean param: JSON true/false, or the strings a form sends (ActiveModel::Type::Boolean casts them). */
const RAILS_BOOLEAN = { anyOf: [{ type: 'boolean' }, { type: 'string' }] };

/** A value of any of these types (OpenAPI 3.0 has no type arrays). */
const anyType = (...types: string[]): JsonObject => ({ anyOf: types.map((type) => ({ type })) });

/** Replaces a property's schema. */
function setProperty(schema: JsonObject, name: string, property: JsonObject): void {
  propertyOf(schema, name);
  (schema.properties as JsonObject)[name] = property;
}

export function applyChatwootOverrides(doc: JsonObject): void {
  const paths = doc.paths as JsonObject;
  // Rails ignores a trailing slash (Journey::Router::Utils.normalize_path), so /inboxes/{id}/ is /inboxes/{id}: the
  // operations of a path written with one join the same path without it.
  for (const route of Object.keys(paths)) {
    const bare = route.replace(/\/+$/, '');
    if (bare === route) continue;
    paths[bare] = { ...(paths[route] as JsonObject), ...(paths[bare] ?? {}) };
    delete paths[route];
  }

  // GET /api: the version, without auth (config/routes.rb `get '/api', to: 'api#index'`; app/controllers/
  // api_controller.rb#index renders version, timestamp, queue_services and data_services).
  addOperation(doc, 'GET', '/api', { summary: 'Server version (simulator override)' });

  // Client (public) API: POST …/update_last_seen, no token (config/routes.rb `namespace :public` → inboxes →
  // contacts → conversations, member `post :update_last_seen`; app/controllers/public/api/v1/inboxes/
  // conversations_controller.rb#update_last_seen). `contact_id` is the contact inbox's source_id.
  addOperation(
    doc,
    'POST',
    '/public/api/v1/inboxes/{inbox_id}/contacts/{contact_id}/conversations/{id}/update_last_seen',
    {
      summary: 'The contact has seen the conversation (simulator override)',
      parameters: [pathParam('inbox_id'), pathParam('contact_id'), pathParam('id')],
    },
  );

  // POST /contacts/{id}/contact_inboxes (config/routes.rb `resources :contact_inboxes, only: [:create]` under
  // contacts; app/controllers/api/v1/accounts/contacts/contact_inboxes_controller.rb#create reads inbox_id,
  // source_id and hmac_verified).
  addOperation(doc, 'POST', `${ACCOUNT}/contacts/{id}/contact_inboxes`, {
    summary: 'Create a contact inbox (simulator override)',
    parameters: [pathParam('account_id', 'integer'), pathParam('id', 'integer')],
    requestBody: jsonBody({
      type: 'object',
      required: ['inbox_id'],
      properties: { inbox_id: { type: 'integer' }, source_id: { type: 'string' }, hmac_verified: RAILS_BOOLEAN },
    }),
  });

  // PATCH /contacts/{id}: `resources :contacts` routes update to both PUT and PATCH (config/routes.rb; Rails
  // resource routing); the document lists only PUT.
  const putContact = operationOf(doc, 'PUT', `${ACCOUNT}/contacts/{id}`);
  addOperation(doc, 'PATCH', `${ACCOUNT}/contacts/{id}`, { ...putContact, operationId: 'sim_contact_patch' });

  // PATCH/PUT of a message: its status, for API inboxes (config/routes.rb `resources :messages, only: [:index,
  // :create, :destroy, :update]`; messages_controller.rb#update permits status and external_error; since v4.2.0,
  // #11387). The document gained it only after 4.15.1 (#15469).
  for (const method of ['PATCH', 'PUT']) {
    addOperation(doc, method, `${ACCOUNT}/conversations/{conversation_id}/messages/{message_id}`, {
      summary: 'Update a message status (simulator override)',
      requestBody: jsonBody({
        type: 'object',
        properties: { status: { type: 'string' }, external_error: { type: 'string' } },
      }),
    });
  }

  // Retry of a failed message: `member { post :retry }` under messages (config/routes.rb), since v3.4.0 (#8518); what
  // the dashboard calls when an agent presses Retry (store/modules/conversations/actions.js). Not in the document.
  addOperation(doc, 'POST', `${ACCOUNT}/conversations/{conversation_id}/messages/{message_id}/retry`, {
    summary: 'Retry a failed message (simulator override)',
    parameters: [pathParam('account_id', 'integer'), pathParam('conversation_id', 'integer'), pathParam('message_id', 'integer')],
  });

  // Attachment downloads: `data_url` is url_for(file), an Active Storage redirect on the ChatWoot host
  // (app/models/attachment.rb; activestorage config/routes.rb `/rails/active_storage/blobs/redirect/:signed_id/
  // *filename`).
  addOperation(doc, 'GET', '/rails/active_storage/blobs/redirect/{signed_id}/{filename}', {
    summary: 'Attachment download (simulator override)',
    parameters: [pathParam('signed_id'), pathParam('filename')],
  });

  // PUT /contacts/{id} as a form: the dashboard sends a picture as top-level `avatar` in multipart
  // (store/modules/contacts/actions.js buildContactFormData; contacts_controller.rb permits `avatar` unnested).
  const update = operationOf(doc, 'PUT', `${ACCOUNT}/contacts/{id}`);
  const updateContent = (update.requestBody as JsonObject).content as JsonObject;
  updateContent['multipart/form-data'] = { schema: (updateContent['application/json'] as JsonObject).schema };

  // POST /contacts: `inbox_id` is optional; without it no contact_inbox is built
  // (contacts_controller.rb#build_contact_inbox returns when params[:inbox_id] is blank). `source_id` is read there.
  const contact = bodySchema(doc, 'POST', `${ACCOUNT}/contacts`);
  notRequired(contact, 'inbox_id');
  propertyOf(contact, 'source_id').type = 'string';

  // POST /conversations: a contact inbox is built from inbox_id + contact_id, or found by source_id alone
  // (conversations_controller.rb#contact_inbox, #build_contact_inbox), so neither is required on its own. Statuses
  // are the model's enum (app/models/conversation.rb: open, resolved, pending, snoozed).
  const conversation = bodySchema(doc, 'POST', `${ACCOUNT}/conversations`);
  notRequired(conversation, 'source_id', 'inbox_id');
  propertyOf(conversation, 'status').enum = ['open', 'resolved', 'pending', 'snoozed'];

  // toggle_status without a status toggles open ↔ resolved (conversations_controller.rb#toggle_status), and
  // snoozed is a status too (app/models/conversation.rb).
  const toggle = bodySchema(doc, 'POST', `${ACCOUNT}/conversations/{conversation_id}/toggle_status`);
  notRequired(toggle, 'status');
  propertyOf(toggle, 'status').enum = ['open', 'resolved', 'pending', 'snoozed'];

  // Message create (app/builders/messages/message_builder.rb, no strong params):
  const message = bodySchema(doc, 'POST', `${ACCOUNT}/conversations/{conversation_id}/messages`);
  // - content may be absent (an attachment alone): the builder copies params[:content] as it is;
  notRequired(message, 'content');
  // - message_type goes to the model's enum (incoming, outgoing, activity, template in app/models/message.rb); an
  //   unknown value is the controller's 422 {"error": …} (messages_controller.rb#create rescues), not a 400;
  setProperty(message, 'message_type', anyType('string', 'integer'));
  // - content_type: every value of the model's enum (app/models/message.rb `enum content_type`);
  propertyOf(message, 'content_type').enum = [
    'text',
    'input_text',
    'input_textarea',
    'input_email',
    'input_select',
    'cards',
    'form',
    'article',
    'incoming_email',
    'input_csat',
    'integrations',
    'sticker',
    'voice_call',
  ];
  // - content_attributes may come as a JSON string (MessageBuilder#content_attributes parses it; the dashboard
  //   sends it so in multipart: app/javascript/dashboard/api/inbox/message.js buildCreatePayload);
  setProperty(message, 'content_attributes', anyType('object', 'string'));
  // - private is cast by Rails, so a form's "true"/"false" are booleans too;
  setProperty(message, 'private', RAILS_BOOLEAN);
  // - read but undocumented: source_id (#8359, v3.4.0), echo_id, and top-level external_created_at, stored as
  //   content_attributes.external_created_at (MessageBuilder#external_created_at).
  setProperty(message, 'source_id', { type: 'string', nullable: true });
  setProperty(message, 'echo_id', anyType('string', 'integer'));
  // Multipart is how attachments come (`attachments[]`, MessageBuilder#process_attachments; message.js
  // buildCreatePayload); the simulator checks the form's fields against the JSON schema above.
  const create = operationOf(doc, 'POST', `${ACCOUNT}/conversations/{conversation_id}/messages`);
  const content = (create.requestBody as JsonObject).content as JsonObject;
  const files = { type: 'array', items: { type: 'string', format: 'binary' } };
  content['multipart/form-data'] = {
    schema: { ...message, properties: { ...(message.properties as JsonObject), 'attachments[]': files } },
  };

  // GET messages: MessageFinder reads before, after and filter_internal_messages (app/finders/message_finder.rb).
  const list = operationOf(doc, 'GET', `${ACCOUNT}/conversations/{conversation_id}/messages`);
  list.parameters = [
    ...(Array.isArray(list.parameters) ? (list.parameters as unknown[]) : []),
    { name: 'before', in: 'query', required: false, schema: { type: 'integer' } },
    { name: 'after', in: 'query', required: false, schema: { type: 'integer' } },
    { name: 'filter_internal_messages', in: 'query', required: false, schema: { type: 'string' } },
  ];

  // Custom attribute definitions: Rails enums take the name as well as the number (app/models/
  // custom_attribute_definition.rb `enum attribute_model`, `enum attribute_display_type`).
  const definition = bodySchema(doc, 'POST', `${ACCOUNT}/custom_attribute_definitions`);
  setProperty(definition, 'attribute_model', anyType('integer', 'string'));
  setProperty(definition, 'attribute_display_type', anyType('integer', 'string'));

  // Contact filter: the last condition's query_operator is null (the document's own example; app/services/
  // filter_service.rb appends each condition's operator, none after the last).
  const filter = bodySchema(doc, 'POST', `${ACCOUNT}/contacts/filter`);
  const items = propertyOf(filter, 'payload').items as JsonObject;
  setProperty(items, 'query_operator', { type: 'string', enum: ['AND', 'OR', null], nullable: true });
}

export const CHATWOOT_API_DOCUMENT: ApiDocumentSpec = {
  file: 'chatwoot/application_swagger.json',
  simulator: 'ChatWoot',
  overrides: applyChatwootOverrides,
};
