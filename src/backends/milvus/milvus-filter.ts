/**
 * Compiles a validated {@link FilterNode} tree into a Milvus boolean expression with the exact
 * semantics of `src/core/filter-ast.ts`.
 *
 * Every comparison is guarded by the field's type tag (see `fieldTags` in `milvus-schema.ts`):
 * `{ lang: 'en' }` becomes `(json_contains(vm_fields, "s:lang") and vm_payload["lang"] == "en")`.
 * The guard makes comparisons type-strict (a string never equals a number, `true` never equals
 * `1`, arrays and objects never equal a scalar) and two-valued: `json_contains` is false, never
 * "unknown", for a missing field, and `false and x` is false under both Boolean and Kleene
 * logic, so `not (...)` (what `$ne`, `$nin` and `$not` compile to) also matches a missing field.
 *
 * Every string value is written as a double-quoted literal in which `\`, `"`, newline, carriage
 * return and tab are escaped; no other character is special inside a literal for Milvus's parser
 * or Milvus Lite's, so no value can end the literal or add an operator. Field names are
 * re-checked against `FIELD_NAME_PATTERN` before they are written.
 *
 * Refused with `InvalidFilterError` (Milvus could not give the documented answer):
 * - a string holding a lone UTF-16 surrogate (gRPC strings are UTF-8);
 * - a `$gt`/`$gte`/`$lt`/`$lte` string operand holding a code unit at or above U+D800: Milvus
 *   orders strings by UTF-8 bytes (code points), which agrees with vecmesh's UTF-16 order only
 *   for such operands.
 *
 * @module
 */
import { InvalidFilterError, describeValue } from '../../core/errors.js';
import {
  FIELD_NAME_PATTERN,
  type CompareNode,
  type FilterNode,
  type FilterScalar,
  type InNode,
} from '../../core/filter-ast.js';
import { JSON_TYPE_TAGS, jsonTypeTag } from '../../core/payload.js';
import { MILVUS_FIELDS, hasLoneSurrogate } from './milvus-schema.js';

/**
 * The Milvus expression of a filter tree.
 *
 * @param node - A tree from `parseFilter`.
 * @returns The expression, e.g. `(json_contains(vm_fields, "n:year") and vm_payload["year"] >= 2020)`.
 * @throws `InvalidFilterError` naming the construct Milvus cannot answer exactly (see the
 *   module notes), or an invalid field name or node.
 *
 * @example
 * ```ts
 * compileFilter(parseFilter({ lang: { $ne: 'en' } })!);
 * // 'not ((json_contains(vm_fields, "s:lang") and vm_payload["lang"] == "en"))'
 * ```
 */
export function compileFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.children.length === 0) {
        throw new InvalidFilterError(`an \`${node.kind}\` node must have at least one child`);
      }
      return `(${node.children.map(compileFilter).join(` ${node.kind} `)})`;
    }
    case 'not':
      return `not (${compileFilter(node.child)})`;
    case 'exists': {
      const present = presentExpr(checkField(node.field));
      return node.exists ? present : `not (${present})`;
    }
    case 'compare':
      return compileCompare(node);
    case 'in':
      return compileIn(node);
    default:
      throw new InvalidFilterError(
        `unknown filter node kind ${describeValue((node as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * A double-quoted Milvus string literal of a value.
 *
 * @param value - Any well-formed string.
 * @returns The literal.
 * @throws {@link InvalidFilterError} when the string holds a lone surrogate.
 *
 * @example
 * ```ts
 * quoteString('a"b\\c'); // '"a\\"b\\\\c"'
 * ```
 */
export function quoteString(value: string): string {
  if (hasLoneSurrogate(value)) {
    throw new InvalidFilterError(
      `the filter value ${describeValue(value)} holds a lone UTF-16 surrogate, which Milvus cannot receive (gRPC strings are UTF-8)`,
    );
  }
  return `"${value.replace(/[\\"\n\r\t]/g, escapeChar)}"`;
}

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\${ch}`;
  }
}

/** A number literal both parsers read back as the same value. */
function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new InvalidFilterError(`filter numbers must be finite, received ${describeValue(value)}`);
  }
  // Integers beyond 2^53 would overflow an int64 literal as written by String(): use a float.
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
  return String(value);
}

function checkField(field: string): string {
  if (typeof field !== 'string' || !FIELD_NAME_PATTERN.test(field)) {
    throw new InvalidFilterError(
      `invalid field name ${describeValue(field)}: field names match ${String(FIELD_NAME_PATTERN)}`,
    );
  }
  return field;
}

function valueExpr(field: string): string {
  return `${MILVUS_FIELDS.payload}["${field}"]`;
}

function tagExpr(tag: string, field: string): string {
  return `json_contains(${MILVUS_FIELDS.tags}, "${tag}:${field}")`;
}

function presentExpr(field: string): string {
  const all = JSON_TYPE_TAGS.map((t) => `"${t}:${field}"`).join(', ');
  return `json_contains_any(${MILVUS_FIELDS.tags}, [${all}])`;
}

/** The field holds exactly this scalar (type included). */
function equalsExpr(field: string, value: FilterScalar): string {
  if (value === null) return tagExpr('z', field);
  const literal = scalarLiteral(value);
  return `(${tagExpr(jsonTypeTag(value), field)} and ${valueExpr(field)} == ${literal})`;
}

function scalarLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new InvalidFilterError(`filter values must be scalars, received ${describeValue(value)}`);
}

const RANGE_OPS: Readonly<Record<string, string>> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

function compileCompare(node: CompareNode): string {
  const field = checkField(node.field);
  if (node.op === 'eq') return equalsExpr(field, node.value);
  if (node.op === 'ne') return `not (${equalsExpr(field, node.value)})`;
  const op = RANGE_OPS[node.op];
  const value = node.value;
  if (op === undefined || (typeof value !== 'number' && typeof value !== 'string')) {
    throw new InvalidFilterError(
      `\`${node.op}\` on \`${field}\` needs a number or a string, received ${describeValue(value)}`,
    );
  }
  if (typeof value === 'string' && /[\uD800-\uFFFF]/.test(value)) {
    throw new InvalidFilterError(
      `Milvus cannot answer \`$${node.op}\` on \`${field}\` with a string holding a character at or above U+D800 exactly: it orders strings by code point, vecmesh by UTF-16 code unit`,
    );
  }
  return `(${tagExpr(jsonTypeTag(value), field)} and ${valueExpr(field)} ${op} ${scalarLiteral(value)})`;
}

function compileIn(node: InNode): string {
  const field = checkField(node.field);
  if (node.values.length === 0) {
    throw new InvalidFilterError(`\`$in\` on \`${field}\` needs at least one value`);
  }
  const strings: string[] = [];
  const integers: string[] = [];
  const fractions: string[] = [];
  // (Kept apart so that each group can become one `in` list where the server allows it.)
  const terms: string[] = [];
  for (const value of node.values) {
    if (typeof value === 'string') strings.push(quoteString(value));
    else if (typeof value === 'number') {
      (Number.isInteger(value) ? integers : fractions).push(numberLiteral(value));
    } else terms.push(equalsExpr(field, value));
  }
  // One group per type, each value an equality: Milvus Lite has no `in` on a JSON path.
  const list = (tag: string, literals: string[]): void => {
    if (literals.length === 0) return;
    const value = valueExpr(field);
    const any = literals.map((l) => `${value} == ${l}`).join(' or ');
    terms.push(`(${tagExpr(tag, field)} and (${any}))`);
  };
  list('s', strings);
  list('n', [...integers, ...fractions]);
  const any = terms.length === 1 ? (terms[0] as string) : `(${terms.join(' or ')})`;
  return node.negated ? `not (${any})` : any;
}
