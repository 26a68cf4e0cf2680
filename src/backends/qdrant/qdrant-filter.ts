/**
 * Compiles the validated filter tree (`src/core/filter-ast.ts`) into Qdrant's filter JSON
 * (`must` / `should` / `must_not` of field conditions), with the exact semantics of the portable
 * language. Every value condition is paired with a condition on the field's type tag
 * (`__vecmesh_types.<field>`, written by `./qdrant-payload.ts`), because Qdrant alone cannot say
 * "a scalar of this type":
 *
 * - strings: `match: { value }` (or `match: { any }` for `$in`) and tag `s`;
 * - numbers: `range: { gte: v, lte: v }` for equality (Qdrant's `match` takes integers only, and
 *   `range` compares integers and floats alike), `range: { gt | gte | lt | lte }` for order, and
 *   tag `n`; safe integers in `$in` use `match: { any }`;
 * - booleans: `match: { value }` and tag `b`;
 * - `null`: tag `z` (so `null` and a missing field stay apart);
 * - `$exists`: the tag is any of the six tags (an array or `[]` is present too);
 * - `$ne`, `$nin`, `$exists: false` and `$not` are `must_not` of the positive form, so they match
 *   a missing field, as the language says.
 *
 * Refused with `InvalidFilterError`: ordering operators on strings (`$gt: 'b'`), because Qdrant
 * has no ordered comparison of strings, and conditions on the reserved payload keys.
 *
 * @module
 */
import { InvalidFilterError, describeValue } from '../../core/errors.js';
import type { CompareNode, FilterNode, FilterScalar, InNode } from '../../core/filter-ast.js';
import { QDRANT_ID_KEY } from './qdrant-ids.js';
import { JSON_TYPE_TAGS, type JsonTypeTag } from '../../core/payload.js';
import { QDRANT_RESERVED_KEYS, QDRANT_TYPES_KEY } from './qdrant-payload.js';

/** A Qdrant range: bounds on a numeric field. */
export interface QdrantRange {
  /** Greater than. */
  gt?: number;
  /** Greater than or equal to. */
  gte?: number;
  /** Less than. */
  lt?: number;
  /** Less than or equal to. */
  lte?: number;
}

/** Qdrant's `match: { value }`: equal to a keyword, an integer or a boolean. */
export interface QdrantMatchValue {
  /** The value. */
  value: string | number | boolean;
}

/** Qdrant's `match: { any }`: equal to one of a list of keywords or of integers. */
export interface QdrantMatchAny {
  /** The values. */
  any: string[] | number[];
}

/** A Qdrant field condition, as this compiler writes them. */
export interface QdrantFieldCondition {
  /** The payload key, possibly a dotted path. */
  key: string;
  /** Equality with one value, or membership in a list of strings or of integers. */
  match?: QdrantMatchValue | QdrantMatchAny;
  /** Numeric bounds. */
  range?: QdrantRange;
}

/** A Qdrant filter: every `must`, at least one `should`, no `must_not` condition matches. */
export interface QdrantFilter {
  /** All of these match. */
  must?: QdrantCondition[];
  /** At least one of these matches. */
  should?: QdrantCondition[];
  /** None of these matches. */
  must_not?: QdrantCondition[];
}

/** A condition: a field condition or a nested filter. */
export type QdrantCondition = QdrantFieldCondition | QdrantFilter;

const ORDER_OPS = { gt: 'gt', gte: 'gte', lt: 'lt', lte: 'lte' } as const;

/**
 * Compiles a validated filter tree into a Qdrant filter.
 *
 * @param node - A tree produced by `parseFilter`.
 * @returns The filter for the `filter` field of a Qdrant search, count or scroll request.
 * @throws `InvalidFilterError` for an ordering operator with a string operand, or a
 *   condition on a reserved payload key (`__vecmesh_id`, `__vecmesh_types`).
 *
 * @example
 * ```ts
 * compileFilter(parseFilter({ lang: 'en' })!);
 * // { must: [{ key: 'lang', match: { value: 'en' } },
 * //           { key: '__vecmesh_types.lang', match: { value: 's' } }] }
 * ```
 */
export function compileFilter(node: FilterNode): QdrantFilter {
  const condition = compile(node);
  return isFilter(condition) ? condition : { must: [condition] };
}

function compile(node: FilterNode): QdrantCondition {
  switch (node.kind) {
    case 'and':
      return { must: node.children.map(compile) };
    case 'or':
      return { should: node.children.map(compile) };
    case 'not':
      return { must_not: [compile(node.child)] };
    case 'compare':
      return compare(node);
    case 'in': {
      const positive = membership(node);
      return node.negated ? { must_not: [positive] } : positive;
    }
    case 'exists': {
      const present = { key: typeKey(node.field), match: { any: [...JSON_TYPE_TAGS] } };
      return node.exists ? present : { must_not: [present] };
    }
  }
}

function compare(node: CompareNode): QdrantCondition {
  const { field, op, value } = node;
  if (op === 'eq') return equals(field, value);
  if (op === 'ne') return { must_not: [equals(field, value)] };
  if (typeof value !== 'number') {
    throw new InvalidFilterError(
      `\`${field}\`: Qdrant cannot compare strings by order, so \`$${op}\` takes numbers only on the Qdrant adapter, received ${describeValue(value)}`,
    );
  }
  return typed(field, 'n', { key: checked(field), range: { [ORDER_OPS[op]]: value } });
}

function equals(field: string, value: FilterScalar): QdrantCondition {
  if (value === null) return tag(field, 'z');
  if (typeof value === 'number') {
    return typed(field, 'n', { key: checked(field), range: { gte: value, lte: value } });
  }
  const t: JsonTypeTag = typeof value === 'string' ? 's' : 'b';
  return typed(field, t, { key: checked(field), match: { value } });
}

function membership(node: InNode): QdrantCondition {
  const { field, values } = node;
  const strings: string[] = [];
  const integers: number[] = [];
  const others: QdrantCondition[] = [];
  for (const v of new Set(values)) {
    if (typeof v === 'string') strings.push(v);
    else if (typeof v === 'number' && Number.isSafeInteger(v)) integers.push(v);
    else others.push(equals(field, v));
  }
  const options: QdrantCondition[] = [];
  if (strings.length > 0) {
    options.push(typed(field, 's', { key: checked(field), match: { any: strings } }));
  }
  if (integers.length > 0) {
    options.push(typed(field, 'n', { key: checked(field), match: { any: integers } }));
  }
  options.push(...others);
  return options.length === 1 ? (options[0] as QdrantCondition) : { should: options };
}

/** A value condition that holds only when the field also has the given type. */
function typed(field: string, t: JsonTypeTag, condition: QdrantFieldCondition): QdrantFilter {
  return { must: [condition, tag(field, t)] };
}

function tag(field: string, t: JsonTypeTag): QdrantFieldCondition {
  return { key: typeKey(field), match: { value: t } };
}

function typeKey(field: string): string {
  return `${QDRANT_TYPES_KEY}.${checked(field)}`;
}

/** The field as a Qdrant key. Field names are identifiers, so a key is never a path by accident. */
function checked(field: string): string {
  if (QDRANT_RESERVED_KEYS.includes(field)) {
    throw new InvalidFilterError(
      `\`${field}\` is a payload key the Qdrant adapter reserves (${QDRANT_ID_KEY} holds the original id); filters cannot name it`,
    );
  }
  return field;
}

function isFilter(condition: QdrantCondition): condition is QdrantFilter {
  return !('key' in condition);
}
