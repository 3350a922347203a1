// The one place user-visible texts are rendered. `Texts.load(overrides)` builds an instance with some keys replaced
// (the config layer reads the operator's TEXTS_FILE and passes it here); every template is compiled up front, so a
// broken override stops start-up instead of failing in the middle of a reply. The process has one instance,
// injected as TEXTS; pure helpers (the command grammar, the renderer) take it as a parameter.
import { en, type TextKey } from './en';
import { compileTemplate, TemplateError, type CompiledTemplate } from './render-template';

export type { TextKey } from './en';
export type TextOverrides = Partial<Record<TextKey, string>>;

/** The variable names a template literal uses, read by the type system from its `{{…}}` tags. */
type TemplateNames<S extends string, Acc extends string = never> = S extends `${string}{{${infer Tag}}}${infer Rest}`
  ? TemplateNames<Rest, Acc | TagName<Tag>>
  : Acc;
type TagName<T extends string> = T extends `{${infer N}}`
  ? RootName<N>
  : T extends `${'#' | '^' | '&'}${infer N}`
    ? RootName<N>
    : T extends `${'/' | '!'}${string}`
      ? never
      : T extends '.'
        ? never
        : RootName<T>;
type RootName<N extends string> = N extends `${infer Head}.${string}` ? Head : N;

/**
 * The variables a text may be given: every name its English template uses (names used inside a section, like the
 * fields of list items, count too). A name the template does not know is a type error.
 */
export type TextVars<K extends TextKey> = { readonly [N in TemplateNames<(typeof en)[K]>]?: unknown };

const KEYS = Object.keys(en) as TextKey[];

export function isTextKey(key: string): key is TextKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** Variable names a template source uses, as the renderer reads them (section roots included). */
export function templateVariables(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\{\{\{?\s*([#^&]?)\s*([\w-]+)[\w.-]*\s*\}?\}\}/g)) names.add(match[2]);
  return names;
}

export class Texts {
  private constructor(private readonly templates: ReadonlyMap<TextKey, CompiledTemplate>) {}

  /**
   * Builds the texts from the English defaults with `overrides` on top. Throws on unknown keys, bad templates, and
   * overrides that use a variable the English text never receives (it would always render empty).
   */
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
      if (source !== en[key]) {
        const known = templateVariables(en[key]);
        const stray = [...templateVariables(source)].filter((name) => !known.has(name));
        if (stray.length > 0) {
          const offered = [...known].map((name) => `{{${name}}}`).join(', ') || 'none';
          throw new Error(`Text override "${key}" uses ${stray.map((n) => `{{${n}}}`).join(', ')}, which this text never receives (available: ${offered})`);
        }
      }
    }
    return new Texts(templates);
  }

  static keys(): readonly TextKey[] {
    return KEYS;
  }

  render<K extends TextKey>(key: K, vars: TextVars<K> = {}): string {
    const template = this.templates.get(key);
    if (!template) throw new Error(`Unknown text key "${key}"`);
    return template.render(vars);
  }
}
