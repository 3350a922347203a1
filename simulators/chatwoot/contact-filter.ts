/**
 * `POST /contacts/filter` as ChatWoot's Contacts::FilterService evaluates it: each condition compares against the
 * FIRST value only (equal_to / not_equal_to), text comparisons are case-insensitive, `phone_number` values get a
 * `+` prefixed by the service, custom attributes must be defined for contacts, and the conditions are chained by
 * each one's `query_operator` with SQL precedence (AND binds tighter than OR).
 */
import type { ChatwootStore } from './chatwoot-store';
import { text } from './request-params';
import { SimContact, SimCustomAttributeDefinition, internalError, unprocessable } from './chatwoot-types';

export interface FilterCondition {
  attribute_key?: unknown;
  filter_operator?: unknown;
  values?: unknown;
  query_operator?: unknown;
}

type StandardKind = 'column' | 'additional' | 'labels' | 'date' | 'boolean';

const TEXT_OPERATORS = ['equal_to', 'not_equal_to', 'contains', 'does_not_contain'];
const STANDARD: Record<string, { kind: StandardKind; operators: string[] }> = {
  name: { kind: 'column', operators: TEXT_OPERATORS },
  phone_number: { kind: 'column', operators: [...TEXT_OPERATORS, 'starts_with'] },
  email: { kind: 'column', operators: TEXT_OPERATORS },
  identifier: { kind: 'column', operators: ['equal_to', 'not_equal_to'] },
  country_code: { kind: 'additional', operators: ['equal_to', 'not_equal_to'] },
  city: { kind: 'additional', operators: TEXT_OPERATORS },
  company: { kind: 'additional', operators: TEXT_OPERATORS },
  labels: { kind: 'labels', operators: ['equal_to', 'not_equal_to', 'is_present', 'is_not_present'] },
  created_at: { kind: 'date', operators: ['is_greater_than', 'is_less_than', 'days_before'] },
  last_activity_at: { kind: 'date', operators: ['is_greater_than', 'is_less_than', 'days_before'] },
  blocked: { kind: 'boolean', operators: ['equal_to', 'not_equal_to'] },
};

function isBlank(values: unknown): boolean {
  if (values === undefined || values === null || values === '') return true;
  return Array.isArray(values) && values.length === 0;
}

function valueList(values: unknown): unknown[] {
  return Array.isArray(values) ? values : [values];
}

/** The service's `filter_values`: first value only; `+` prefixed for phone numbers; strings downcased otherwise. */
function firstValue(key: string, values: unknown): string {
  const first = valueList(values)[0];
  if (key === 'phone_number') return `+${String(first)}`;
  return typeof first === 'string' ? first.toLowerCase() : String(first);
}

function likePatterns(values: unknown): RegExp[] {
  return valueList(values).map((value) => {
    const escaped = String(value)
      .trim()
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(escaped, 'i');
  });
}

const PRESENT_TYPES = new Set(['is_present', 'is_not_present']);

export class ContactFilter {
  constructor(private readonly store: ChatwootStore) {}

  /** Returns the matching contacts in id order; throws the 422 (or 500) ChatWoot would answer. */
  run(payload: unknown): SimContact[] {
    if (!Array.isArray(payload)) throw internalError();
    const conditions = payload as FilterCondition[];
    for (const condition of conditions) {
      if (condition.query_operator === null || condition.query_operator === undefined) continue;
      const operator = text(condition.query_operator).toUpperCase();
      if (operator !== 'AND' && operator !== 'OR') throw unprocessable('Query operator must be either "AND" or "OR"');
    }
    const sets = conditions.map((condition) => this.evaluate(condition));
    // The SQL is "c0 op0 c1 op1 ... cN": a missing operator between two conditions or a trailing one is a syntax error.
    conditions.forEach((condition, i) => {
      const hasOperator =
        condition.query_operator !== null && condition.query_operator !== undefined && condition.query_operator !== '';
      if (i < conditions.length - 1 && !hasOperator) throw internalError();
      if (i === conditions.length - 1 && hasOperator) throw internalError();
    });
    const result = new Set<number>();
    let group: Set<number> | null = null;
    sets.forEach((set, i) => {
      group = group === null ? set : intersect(group, set);
      const operator = text(conditions[i].query_operator).toUpperCase();
      if (operator !== 'AND') {
        for (const id of group) result.add(id);
        group = null;
      }
    });
    return [...result]
      .sort((a, b) => a - b)
      .map((id) => this.store.contacts.get(id))
      .filter((c): c is SimContact => c !== undefined);
  }

  private evaluate(condition: FilterCondition): Set<number> {
    const key = text(condition.attribute_key);
    const operator = text(condition.filter_operator);
    const standard = STANDARD[key];
    if (standard && !standard.operators.includes(operator)) {
      throw unprocessable(`Invalid operator. The allowed operators for ${key} are [${standard.operators.join(', ')}].`);
    }
    if (!PRESENT_TYPES.has(operator) && isBlank(condition.values)) {
      throw unprocessable(`Invalid value. The values provided for ${key} are invalid`);
    }
    if (standard) return this.evaluateStandard(key, standard.kind, operator, condition.values);
    const definition = this.store.findDefinition(key, 'contact_attribute');
    if (!definition) {
      throw unprocessable(
        `Invalid attribute key - [${key}]. The key should be one of [${Object.keys(STANDARD).join(', ')}] or a custom attribute defined in the account.`,
      );
    }
    return this.evaluateCustom(definition, operator, condition.values);
  }

  private scan(predicate: (contact: SimContact) => boolean): Set<number> {
    const ids = new Set<number>();
    for (const contact of this.store.contacts.values()) if (predicate(contact)) ids.add(contact.id);
    return ids;
  }

  private evaluateStandard(key: string, kind: StandardKind, operator: string, values: unknown): Set<number> {
    switch (kind) {
      case 'column':
      case 'additional': {
        const read = (c: SimContact): string | null => {
          const raw =
            kind === 'column'
              ? c[key as 'name' | 'email' | 'phone_number' | 'identifier']
              : c.additional_attributes[key];
          return raw === null || raw === undefined ? null : text(raw).toLowerCase();
        };
        if (operator === 'equal_to' && kind === 'column') {
          const value = firstValue(key, values);
          if (key === 'phone_number') return new Set(this.store.contactIdsByPhone(value));
          if (key === 'email') return new Set(this.store.contactIdsByEmailLower(value));
          if (key === 'identifier') return new Set(this.store.contactIdsByIdentifierLower(value));
        }
        return this.textCondition(read, key, operator, values);
      }
      case 'labels':
        // The simulator keeps no labels: nothing carries one.
        return operator === 'equal_to' || operator === 'is_present' ? new Set() : this.scan(() => true);
      case 'date': {
        const read = (c: SimContact): number | null => (key === 'created_at' ? c.createdAt : c.lastActivityAt);
        return this.dateCondition(read, operator, values);
      }
      case 'boolean': {
        const value = firstValue(key, values);
        return this.scan((c) => (String(c.blocked) === value) === (operator === 'equal_to'));
      }
    }
  }

  private textCondition(
    read: (contact: SimContact) => string | null,
    key: string,
    operator: string,
    values: unknown,
  ): Set<number> {
    switch (operator) {
      case 'equal_to':
      case 'not_equal_to': {
        const value = firstValue(key, values).toLowerCase();
        return this.scan((c) => {
          const current = read(c);
          return current !== null && (current === value) === (operator === 'equal_to');
        });
      }
      case 'contains':
      case 'does_not_contain': {
        const patterns = likePatterns(values);
        return this.scan((c) => {
          const current = read(c);
          if (current === null) return false;
          return operator === 'contains'
            ? patterns.some((p) => p.test(current))
            : patterns.every((p) => !p.test(current));
        });
      }
      case 'starts_with': {
        const value = firstValue(key, values).toLowerCase();
        return this.scan((c) => read(c)?.startsWith(value) ?? false);
      }
      default:
        return this.scan(() => false);
    }
  }

  private dateCondition(read: (contact: SimContact) => number | null, operator: string, values: unknown): Set<number> {
    const first = String(valueList(values)[0]);
    const limit = operator === 'days_before' ? Date.now() - Number(first) * 86_400_000 : Date.parse(first);
    const before = operator !== 'is_greater_than';
    return this.scan((c) => {
      const at = read(c);
      if (at === null || Number.isNaN(limit)) return false;
      return before ? at < limit : at > limit;
    });
  }

  private evaluateCustom(definition: SimCustomAttributeDefinition, operator: string, values: unknown): Set<number> {
    const key = definition.attribute_key;
    const type = definition.attribute_display_type;
    const textual = type === 'text' || type === 'link' || type === 'list' || type === 'date';
    const read = (c: SimContact): unknown => c.custom_attributes[key];
    if (operator === 'equal_to' || operator === 'not_equal_to') {
      const value = firstValue(key, values);
      const equal = (raw: unknown): boolean => {
        if (textual) return text(raw).toLowerCase() === value;
        if (type === 'checkbox') return text(raw).toLowerCase() === value;
        return Number(raw) === Number(value);
      };
      if (operator === 'equal_to' && textual) return new Set(this.store.contactIdsByCustomAttributeLower(key, value));
      return this.scan((c) => {
        const raw = read(c);
        if (raw === null || raw === undefined) return operator === 'not_equal_to';
        return equal(raw) === (operator === 'equal_to');
      });
    }
    if (operator === 'is_present' || operator === 'is_not_present') {
      return this.scan((c) => (read(c) !== null && read(c) !== undefined) === (operator === 'is_present'));
    }
    if (operator === 'is_greater_than' || operator === 'is_less_than') {
      const limit = Number(valueList(values)[0]);
      return this.scan((c) => {
        const raw = read(c);
        if (raw === null || raw === undefined) return false;
        return operator === 'is_greater_than' ? Number(raw) > limit : Number(raw) < limit;
      });
    }
    return this.textCondition(
      (c) => {
        const raw = read(c);
        return raw === null || raw === undefined ? null : text(raw).toLowerCase();
      },
      key,
      operator,
      values,
    );
  }
}

function intersect(a: Set<number>, b: Set<number>): Set<number> {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const out = new Set<number>();
  for (const id of small) if (large.has(id)) out.add(id);
  return out;
}
