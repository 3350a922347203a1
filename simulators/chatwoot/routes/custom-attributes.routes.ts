/**
 * ChatWoot custom attribute definition routes: list (by model), create (with ChatWoot's validation errors),
 * show and delete.
 */
import { SimRequest, SimResponse } from '../../common/sim-server';
import { ATTRIBUTE_DISPLAY_TYPES, ATTRIBUTE_MODELS, internalError, recordInvalid } from '../chatwoot-types';
import { asObject, presence, readParams, stringOrNull, text } from '../request-params';
import { ApiRouter, RouteDeps, requireDefinition } from './route-kit';

export class CustomAttributeRoutes {
  constructor(private readonly deps: Pick<RouteDeps, 'store' | 'views'>) {}

  register(router: ApiRouter): void {
    const { store, views } = this.deps;
    router.api('GET', '/custom_attribute_definitions', (req) => this.listDefinitions(req));
    router.api('POST', '/custom_attribute_definitions', (req) => this.createDefinition(req));
    router.api('GET', '/custom_attribute_definitions/:id', (req) => ({
      status: 200,
      body: views.customAttributeDefinition(requireDefinition(store, req.params.id)),
    }));
    router.api('DELETE', '/custom_attribute_definitions/:id', (req) => {
      store.customAttributeDefinitions.delete(requireDefinition(store, req.params.id).id);
      return { status: 200, text: '' };
    });
  }

  private listDefinitions(req: SimRequest): SimResponse {
    const raw = req.query.get('attribute_model');
    let model: string | null = null;
    if (raw !== null && raw !== '') model = /^\d+$/.test(raw) ? (ATTRIBUTE_MODELS[Number(raw)] ?? '-') : raw;
    const list = [...this.deps.store.customAttributeDefinitions.values()].filter(
      (d) => model === null || d.attribute_model === model,
    );
    return { status: 200, body: list.map((d) => this.deps.views.customAttributeDefinition(d)) };
  }

  private async createDefinition(req: SimRequest): Promise<SimResponse> {
    const { fields } = await readParams(req);
    const body = asObject(fields.custom_attribute_definition ?? fields);
    const enumValue = <T extends string>(values: readonly T[], raw: unknown, fallback: T): T => {
      if (raw === undefined || raw === null || raw === '') return fallback;
      const index = typeof raw === 'number' ? raw : /^\d+$/.test(text(raw)) ? Number(raw) : -1;
      const value =
        index >= 0 ? values[index] : (values as readonly string[]).includes(text(raw)) ? (raw as T) : undefined;
      if (value === undefined) throw internalError();
      return value;
    };
    const model = enumValue(ATTRIBUTE_MODELS, body.attribute_model, 'conversation_attribute');
    const displayType = enumValue(ATTRIBUTE_DISPLAY_TYPES, body.attribute_display_type, 'text');
    const key = presence(body.attribute_key);
    const displayName = presence(body.attribute_display_name);
    const errors: string[] = [];
    const attributes: string[] = [];
    if (displayName === null) {
      errors.push("Attribute display name can't be blank");
      attributes.push('attribute_display_name');
    }
    if (key === null) {
      errors.push("Attribute key can't be blank");
      attributes.push('attribute_key');
    }
    if (errors.length > 0) throw recordInvalid(errors, attributes);
    const definition = this.deps.store.addDefinition({
      attribute_key: key!,
      attribute_display_name: displayName!,
      attribute_display_type: displayType,
      attribute_description: stringOrNull(body.attribute_description),
      attribute_model: model,
      attribute_values: Array.isArray(body.attribute_values) ? body.attribute_values : [],
      regex_pattern: stringOrNull(body.regex_pattern),
      regex_cue: stringOrNull(body.regex_cue),
      default_value: body.default_value ?? null,
    });
    return { status: 200, body: this.deps.views.customAttributeDefinition(definition) };
  }
}
