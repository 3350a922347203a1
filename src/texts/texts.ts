// The one place user-visible texts are rendered. `Texts.load(overrides)` builds an instance with some keys replaced
// (the config layer reads the operator's JSON file and passes it here); every template is compiled up front, so a
// broken override stops start-up instead of failing in the middle of a reply.
import { en, type TextKey } from './en';
import { compileTemplate, TemplateError, type CompiledTemplate } from './render-template';

export type { TextKey } from './en';
export type TextOverrides = Partial<Record<TextKey, string>>;

const KEYS = Object.keys(en) as TextKey[];

export function isTextKey(key: string): key is TextKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export class Texts {
  private constructor(private readonly templates: ReadonlyMap<TextKey, CompiledTemplate>) {}

  /** Builds the texts from the English defaults with `overrides` on top. Throws on unknown keys or bad templates. */
  static load(overrides: TextOverrides = {}): Texts {
    const given: Record<string, unknown> = overrides;
    const unknown = Object.keys(given).filter((key) => !isTextKey(key));
    if (unknown.length > 0) {
      throw new Error(`Unknown text keys in overrides: ${unknown.join(', ')}`);
    }
    const templates = new Map<TextKey, CompiledTemplate>();
    for (const key of KEYS) {
      const source: unknown = given[key] ?? en[key];
      if (typeof source !== 'string') {
        throw new Error(`Text override "${key}" must be a string`);
      }
      try {
        templates.set(key, compileTemplate(source));
      } catch (error) {
        if (error instanceof TemplateError) throw new Error(`Text "${key}" is not a valid template: ${error.message}`);
        throw error;
      }
    }
    return new Texts(templates);
  }

  static keys(): readonly TextKey[] {
    return KEYS;
  }

  render(key: TextKey, vars: Record<string, unknown> = {}): string {
    const template = this.templates.get(key);
    if (!template) throw new Error(`Unknown text key "${key}"`);
    return template.render(vars);
  }
}

/** The English texts, for code that has no dependency injection (pure helpers, the grammar). */
export const texts = Texts.load();
