// A small Mustache-like renderer for the reply texts. Output is ChatWoot markdown, so nothing is HTML-escaped.
//
// Supported:
//   {{name}} {{a.b.c}} {{.}}     a value (null/undefined → '', arrays → items joined with ', ')
//   {{{name}}} {{&name}}         the same (accepted so templates written for real Mustache keep working)
//   {{#name}}…{{/name}}          rendered when the value is truthy; once per item for a non-empty array;
//                                an object value becomes the context inside the section
//   {{^name}}…{{/name}}          rendered when the value is falsy (false, 0, '', null, undefined, empty array)
//   {{! comment }}               dropped
// A line that holds only section/comment tags is removed entirely ("standalone" tags), so optional lines do not
// leave blank lines behind. After rendering, runs of 3+ newlines shrink to one blank line and trailing whitespace
// is trimmed.

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Node =
  | { type: 'text'; value: string }
  | { type: 'var'; path: string }
  | { type: 'section'; path: string; inverted: boolean; children: Node[] };

export interface CompiledTemplate {
  render(view?: unknown): string;
}

const STANDALONE_LINE = /^[ \t]*(?:\{\{[ \t]*[#^/!][^{}]*\}\}[ \t]*)+$/;
const TAG = /\{\{\{\s*([^{}]+?)\s*\}\}\}|\{\{\s*([#^/!&]?)\s*([^{}]*?)\s*\}\}/g;
const NAME = /^(?:\.|[\w-]+(?:\.[\w-]+)*)$/;

/** Removes the line breaks and indentation around tags that stand alone on their line. */
function removeStandaloneLines(source: string): string {
  const lines = source.split('\n');
  let out = '';
  lines.forEach((line, index) => {
    const last = index === lines.length - 1;
    if (STANDALONE_LINE.test(line)) {
      out += line.trim();
    } else {
      out += last ? line : `${line}\n`;
    }
  });
  return out;
}

export function compileTemplate(source: string): CompiledTemplate {
  const root: Node[] = [];
  const stack: { path: string; children: Node[] }[] = [{ path: '', children: root }];
  const current = (): Node[] => stack[stack.length - 1].children;
  const text = removeStandaloneLines(source);

  const pushText = (value: string): void => {
    if (value.includes('{{') || value.includes('}}')) {
      throw new TemplateError(`Malformed tag near "${value.slice(value.search(/\{\{|\}\}/), 40)}"`);
    }
    if (value) current().push({ type: 'text', value });
  };

  let last = 0;
  for (const match of text.matchAll(TAG)) {
    pushText(text.slice(last, match.index));
    last = match.index + match[0].length;
    const triple = match[1];
    const sigil = triple !== undefined ? '&' : match[2];
    const name = triple ?? match[3];
    if (sigil === '!') continue;
    if (!NAME.test(name)) throw new TemplateError(`Invalid tag name "${name}"`);
    if (sigil === '#' || sigil === '^') {
      const section: Node = { type: 'section', path: name, inverted: sigil === '^', children: [] };
      current().push(section);
      stack.push({ path: name, children: section.children });
    } else if (sigil === '/') {
      const open = stack.pop();
      if (!open || stack.length === 0 || open.path !== name) {
        throw new TemplateError(
          `Unexpected {{/${name}}}${open && stack.length > 0 ? `, expected {{/${open.path}}}` : ''}`,
        );
      }
    } else {
      current().push({ type: 'var', path: name });
    }
  }
  pushText(text.slice(last));
  if (stack.length > 1) throw new TemplateError(`Section {{#${stack[stack.length - 1].path}}} is never closed`);

  return {
    render(view?: unknown): string {
      const out = renderNodes(root, [view ?? {}]);
      return out.replace(/\n{3,}/g, '\n\n').replace(/\s+$/, '');
    },
  };
}

export function renderTemplate(source: string, view?: unknown): string {
  return compileTemplate(source).render(view);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function lookup(path: string, contexts: readonly unknown[]): unknown {
  if (path === '.') return contexts[contexts.length - 1];
  const [head, ...rest] = path.split('.');
  for (let i = contexts.length - 1; i >= 0; i--) {
    const context = contexts[i];
    if (isRecord(context) && head in context) {
      let value: unknown = context[head];
      for (const part of rest) {
        if (!isRecord(value) || !(part in value)) return undefined;
        value = value[part];
      }
      return value;
    }
  }
  return undefined;
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(toText).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return '';
}

function isTruthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

function renderNodes(nodes: readonly Node[], contexts: readonly unknown[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += node.value;
        break;
      case 'var':
        out += toText(lookup(node.path, contexts));
        break;
      case 'section': {
        const value = lookup(node.path, contexts);
        if (node.inverted) {
          if (!isTruthy(value)) out += renderNodes(node.children, contexts);
        } else if (Array.isArray(value)) {
          for (const item of value) out += renderNodes(node.children, [...contexts, item]);
        } else if (isTruthy(value)) {
          out += renderNodes(node.children, [...contexts, value]);
        }
        break;
      }
    }
  }
  return out;
}
