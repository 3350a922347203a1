/**
 * What the WAHA simulator changes in WAHA's own OpenAPI document (shared/specs/waha/openapi-2026.7.1.json, the one
 * WAHA's site serves) before checking requests with it: routes the real server has that the document lacks, and
 * rules the document states more strictly than the server applies. Each entry cites the WAHA source (devlikeapro/waha
 * at "[core] 2026.2.1", commit 52222a6b, as copied in the suspiciousRaccoon/waha fork) or changelog line proving it.
 * Nothing else is changed: whatever the document says stays the rule.
 */
import {
  ApiDocumentSpec,
  JsonObject,
  addOperation,
  bodySchema,
  componentSchema,
  notRequired,
  parameterOf,
  propertyOf,
} from '../common/openapi-document';

const stringParam = (name: string, where: 'path' | 'query', required: boolean): JsonObject => ({
  name,
  in: where,
  required,
  schema: { type: 'string' },
});

export function applyWahaOverrides(doc: JsonObject): void {
  // Media files: WAHA serves downloaded media at /api/files/<session>/<id>.<ext> (src/core/media/local/
  // MediaLocalStorage.ts getStorageData/getKey, served by ServeStatic under the `api` prefix the API key guards:
  // src/core/app.module.core.ts). CL 2024.10.1 "Receive media now available in WAHA Core". The document has no path.
  addOperation(doc, 'GET', '/api/files/{session}/{filename}', {
    summary: 'A downloaded media file (simulator override)',
    parameters: [stringParam('session', 'path', true), stringParam('filename', 'path', true)],
  });

  for (const route of ['/api/{session}/chats/{chatId}/messages', '/api/messages']) {
    // `limit` has a default of 10 (src/structures/chats.dto.ts GetChatMessagesQuery; commit b09ef98d, 2025.4.2),
    // so a request without it is served; the document marks it required.
    parameterOf(doc, 'GET', route, 'limit', 'query').required = false;
    // `sortOrder` is only @IsOptional(), never enum-checked (src/structures/pagination.dto.ts): any string passes
    // and each engine reads it its own way (GOWS: only exactly 'asc' is ascending, session.gows.core.ts).
    parameterOf(doc, 'GET', route, 'sortOrder', 'query').schema = { type: 'string' };
  }
  // GET /api/messages: `session` defaults to 'default' (src/structures/chatting.dto.ts GetMessageQuery).
  parameterOf(doc, 'GET', '/api/messages', 'session', 'query').required = false;

  // Voice and video files: `mimetype` and `filename` are strings with defaults ('audio/ogg; codecs=opus',
  // 'video/mp4', 'video.mp4'… in src/structures/files.dto.ts VoiceRemoteFile, VoiceBinaryFile, VideoRemoteFile,
  // VideoBinaryFile); the document calls them objects and requires them.
  for (const name of ['VoiceRemoteFile', 'VoiceBinaryFile', 'VideoRemoteFile', 'VideoBinaryFile']) {
    const schema = componentSchema(doc, name);
    propertyOf(schema, 'mimetype').type = 'string';
    if (name !== 'VoiceRemoteFile') propertyOf(schema, 'filename').type = 'string';
    notRequired(schema, 'mimetype', 'filename');
  }
  // `convert` carries no class-validator decorator (src/structures/chatting.dto.ts MessageVoiceRequest and
  // MessageVideoRequest: `convert: boolean` with only @ConvertApiProperty), so leaving it out is accepted.
  notRequired(bodySchema(doc, 'POST', '/api/sendVoice'), 'convert');
  notRequired(bodySchema(doc, 'POST', '/api/sendVideo'), 'convert');
}

/**
 * Query booleans: WAHA reads `true`/`True`/`1` and `false`/`False`/`0` (src/nestjs/validation/BooleanString.ts,
 * the @Transform on the chats DTOs); the checker turns them into what JSON Schema calls a boolean.
 */
export const WAHA_QUERY_BOOLEANS = { truthy: ['true', 'True', '1'], falsy: ['false', 'False', '0'] };

export const WAHA_API_DOCUMENT: ApiDocumentSpec = {
  file: 'waha/openapi-2026.7.1.json',
  simulator: 'WAHA',
  overrides: applyWahaOverrides,
  queryBooleans: WAHA_QUERY_BOOLEANS,
};
