/**
 * Parsing of the portable filter language into a validated {@link FilterNode} tree, and the
 * reference evaluator every backend's behaviour is checked against.
 *
 * The semantics are documented in `filter-ast.ts`. Parsing is bounded (depth, node count,
 * `$in` sizes), so a hostile filter costs at most linear work in its size before it is refused.
 *
 * @module
 */
import { InvalidFilterError, describeValue } from './errors.js';
import {
  FIELD_NAME_PATTERN,
  type CompareOp,
  type FilterNode,
  type FilterScalar,
} from './filter-ast.js';
import { isPlainObject } from './payload.js';
import type { JsonValue, Payload } from './types.js';

/** The deepest nesting of filter objects (`$and`, `$or`, `$not`) accepted; the root is 1. */
export const MAX_FILTER_DEPTH = 32;

/** The most nodes (conditions and logical operators) one filter may produce. */
export const MAX_FILTER_NODES = 10_000;

/** The most values one `$in` or `$nin` may hold. */
export const MAX_FILTER_IN_VALUES = 10_000;

/** The most `$in` / `$nin` values one filter may hold in total. */
export const MAX_FILTER_TOTAL_VALUES = 100_000;

const COMPARE_OPS: Readonly<Record<string, CompareOp>> = {
  $eq: 'eq',
  $ne: 'ne',
  $gt: 'gt',
  $gte: 'gte',
  $lt: 'lt',
  $lte: 'lte',
};

/**
 * Validates a caller's filter and turns it into a {@link FilterNode} tree.
 *
 * Keys of one object are ANDed, as are several operators on one field
 * (`{ year: { $gte: 2020, $lt: 2025 } }`). A bare scalar means `$eq`. The returned tree is
 * frozen.
 *
 * @param input - The filter as the caller wrote it; `undefined` or `{}` mean "no filter".
 * @param path - The name of the input in error messages.
 * @default path 'filter'
 * @returns The tree, or `undefined` when the filter matches everything.
 * @throws {@link InvalidFilterError} naming the path of the first problem: a non-plain object,
 *   an unknown operator, an invalid field name, an operand of the wrong type, a non-finite
 *   number, an empty `$and` / `$or` / `$in`, or a filter beyond the depth, node or `$in` limits.
 *
 * @example
 * ```ts
 * parseFilter({ year: { $gte: 2025 }, lang: { $in: ['en', 'fr'] } });
 * // { kind: 'and', children: [
 * //   { kind: 'compare', field: 'year', op: 'gte', value: 2025 },
 * //   { kind: 'in', field: 'lang', values: ['en', 'fr'], negated: false } ] }
 * parseFilter({ year: { $gte: true } });
 * // throws: `filter.year.$gte` must be a number or string, received boolean true
 * ```
 */
export function parseFilter(input: unknown, path = 'filter'): FilterNode | undefined {
  if (input === undefined) return undefined;
  const parser = new FilterParser(path);
  const conjuncts = parser.parseObject(input, path, 1);
  return conjuncts.length === 0 ? undefined : parser.combineAnd(conjuncts);
}

/** The single element of a list of one, else `undefined`. */
function onlyOne<T>(list: readonly T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}

/** One parse: carries the budgets so that they apply to the whole filter. */
class FilterParser {
  private nodes = 0;
  private values = 0;

  constructor(private readonly root: string) {}

  /** Parses one filter object into the list of its ANDed conditions (empty for `{}`). */
  parseObject(value: unknown, path: string, depth: number): FilterNode[] {
    if (depth > MAX_FILTER_DEPTH) {
      throw new InvalidFilterError(`\`${path}\` nests deeper than ${MAX_FILTER_DEPTH} levels`);
    }
    if (!isPlainObject(value)) {
      throw new InvalidFilterError(
        `\`${path}\` must be a plain object, received ${describeValue(value)}`,
      );
    }
    const out: FilterNode[] = [];
    for (const key of Object.keys(value)) {
      const v = value[key];
      const at = `${path}.${key}`;
      if (key === '$and') {
        for (const [i, item] of this.subFilters(v, at).entries()) {
          for (const c of this.parseSub(item, `${at}[${i}]`, depth)) out.push(c);
        }
      } else if (key === '$or') {
        const children: FilterNode[] = [];
        for (const [i, item] of this.subFilters(v, at).entries()) {
          const child = this.combineAnd(this.parseSub(item, `${at}[${i}]`, depth));
          // (a OR b) OR c is a OR b OR c: keep the tree flat for adapters.
          if (child.kind === 'or') children.push(...child.children);
          else children.push(child);
        }
        out.push(onlyOne(children) ?? this.node({ kind: 'or', children }));
      } else if (key === '$not') {
        const child = this.combineAnd(this.parseSub(v, at, depth));
        out.push(this.node({ kind: 'not', child }));
      } else if (key.startsWith('$')) {
        throw new InvalidFilterError(`unknown operator \`${key}\` at \`${path}\``);
      } else if (!FIELD_NAME_PATTERN.test(key)) {
        throw new InvalidFilterError(
          `invalid field name \`${key}\` at \`${path}\`: field names match ${String(FIELD_NAME_PATTERN)}`,
        );
      } else {
        this.parseCondition(key, v, at, out);
      }
    }
    return out;
  }

  /** One node for a list of ANDed conditions. */
  combineAnd(conjuncts: FilterNode[]): FilterNode {
    return onlyOne(conjuncts) ?? this.node({ kind: 'and', children: conjuncts });
  }

  private subFilters(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InvalidFilterError(
        `\`${path}\` must be a non-empty array, received ${describeValue(value)}`,
      );
    }
    return value as readonly unknown[];
  }

  private parseSub(value: unknown, path: string, depth: number): FilterNode[] {
    const conjuncts = this.parseObject(value, path, depth + 1);
    if (conjuncts.length === 0) {
      throw new InvalidFilterError(`\`${path}\` must be a non-empty filter object, received {}`);
    }
    return conjuncts;
  }

  /** Parses the condition on one field, pushing one node per operator onto `out`. */
  private parseCondition(field: string, cond: unknown, path: string, out: FilterNode[]): void {
    if (!isPlainObject(cond)) {
      if (
        cond === undefined ||
        (typeof cond === 'object' && cond !== null) ||
        typeof cond === 'function'
      ) {
        const hint = Array.isArray(cond) ? ' (use `$in` to match one of several values)' : '';
        throw new InvalidFilterError(
          `\`${path}\` must be a string, number, boolean, null or an operator object${hint}, received ${describeValue(cond)}`,
        );
      }
      out.push(this.compare(field, 'eq', this.scalar(cond, path)));
      return;
    }
    const ops = Object.keys(cond);
    if (ops.length === 0) {
      throw new InvalidFilterError(`\`${path}\` must hold at least one operator, received {}`);
    }
    for (const op of ops) {
      const operand = cond[op];
      const at = `${path}.${op}`;
      const compareOp = Object.hasOwn(COMPARE_OPS, op) ? COMPARE_OPS[op] : undefined;
      if (compareOp === 'eq' || compareOp === 'ne') {
        out.push(this.compare(field, compareOp, this.scalar(operand, at)));
      } else if (compareOp !== undefined) {
        out.push(this.compare(field, compareOp, this.orderable(operand, at)));
      } else if (op === '$in' || op === '$nin') {
        const values = this.inValues(operand, at);
        out.push(this.node({ kind: 'in', field, values, negated: op === '$nin' }));
      } else if (op === '$exists') {
        if (typeof operand !== 'boolean') {
          throw new InvalidFilterError(
            `\`${at}\` must be a boolean, received ${describeValue(operand)}`,
          );
        }
        out.push(this.node({ kind: 'exists', field, exists: operand }));
      } else if (op.startsWith('$')) {
        throw new InvalidFilterError(`unknown operator \`${op}\` at \`${path}\``);
      } else {
        throw new InvalidFilterError(
          `unknown operator \`${op}\` at \`${path}\`: operators start with \`$\` and nested fields are not supported`,
        );
      }
    }
  }

  private scalar(value: unknown, path: string): FilterScalar {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return this.finite(value, path);
    throw new InvalidFilterError(
      `\`${path}\` must be a string, number, boolean or null, received ${describeValue(value)}`,
    );
  }

  private orderable(value: unknown, path: string): number | string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return this.finite(value, path);
    throw new InvalidFilterError(
      `\`${path}\` must be a number or string, received ${describeValue(value)}`,
    );
  }

  private finite(value: number, path: string): number {
    if (!Number.isFinite(value)) {
      throw new InvalidFilterError(
        `\`${path}\` must be a finite number, received ${describeValue(value)}`,
      );
    }
    return value;
  }

  private inValues(value: unknown, path: string): readonly FilterScalar[] {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InvalidFilterError(
        `\`${path}\` must be a non-empty array, received ${describeValue(value)}`,
      );
    }
    const items = value as readonly unknown[];
    if (items.length > MAX_FILTER_IN_VALUES) {
      throw new InvalidFilterError(
        `\`${path}\` may hold at most ${MAX_FILTER_IN_VALUES} values, received array of length ${items.length}`,
      );
    }
    this.values += items.length;
    if (this.values > MAX_FILTER_TOTAL_VALUES) {
      throw new InvalidFilterError(
        `\`${this.root}\` may hold at most ${MAX_FILTER_TOTAL_VALUES} \`$in\` / \`$nin\` values in total`,
      );
    }
    const out: FilterScalar[] = new Array<FilterScalar>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = this.scalar(items[i], `${path}[${i}]`);
    return Object.freeze(out);
  }

  private compare(field: string, op: CompareOp, value: FilterScalar): FilterNode {
    return this.node({ kind: 'compare', field, op, value });
  }

  private node(node: FilterNode): FilterNode {
    this.nodes++;
    if (this.nodes > MAX_FILTER_NODES) {
      throw new InvalidFilterError(
        `\`${this.root}\` has more than ${MAX_FILTER_NODES} conditions and operators`,
      );
    }
    if (node.kind === 'and' || node.kind === 'or') Object.freeze(node.children);
    return Object.freeze(node);
  }
}

const EMPTY_PAYLOAD: Payload = Object.freeze({});

// Large `$in` lists are looked up through a Set built once per node.
const IN_SET_THRESHOLD = 16;
const inSets = new WeakMap<readonly FilterScalar[], ReadonlySet<FilterScalar>>();

/**
 * The reference evaluator: whether a payload matches a filter tree, exactly as documented in
 * `filter-ast.ts`. Only own properties of the payload are read, so keys such as `constructor`
 * or `__proto__` match only when the payload really has them.
 *
 * @param node - A tree from {@link parseFilter}; `undefined` matches everything.
 * @param payload - The point's payload; `undefined` is treated as `{}`.
 * @returns Whether the payload matches.
 *
 * @example
 * ```ts
 * const f = parseFilter({ year: { $gte: 2025 } });
 * matchesFilter(f, { year: 2025 });   // true
 * matchesFilter(f, { year: '2025' }); // false: a string never compares with a number
 * matchesFilter(parseFilter({ year: { $ne: 1 } }), {}); // true: $ne matches a missing field
 * ```
 */
export function matchesFilter(node: FilterNode | undefined, payload: Payload | undefined): boolean {
  return node === undefined ? true : evaluate(node, payload ?? EMPTY_PAYLOAD);
}

function evaluate(node: FilterNode, payload: Payload): boolean {
  switch (node.kind) {
    case 'and':
      for (const child of node.children) if (!evaluate(child, payload)) return false;
      return true;
    case 'or':
      for (const child of node.children) if (evaluate(child, payload)) return true;
      return false;
    case 'not':
      return !evaluate(node.child, payload);
    case 'exists':
      return Object.hasOwn(payload, node.field) === node.exists;
    case 'compare': {
      const present = Object.hasOwn(payload, node.field);
      const eq = present && payload[node.field] === node.value;
      if (node.op === 'eq') return eq;
      if (node.op === 'ne') return !eq;
      return present && compareOrdered(node.op, payload[node.field], node.value);
    }
    case 'in': {
      const hit = Object.hasOwn(payload, node.field) && isIn(node.values, payload[node.field]);
      return hit !== node.negated;
    }
    default:
      throw new InvalidFilterError(
        `unknown filter node kind ${describeValue((node as { kind: unknown }).kind)}`,
      );
  }
}

function compareOrdered(
  op: CompareOp,
  value: JsonValue | undefined,
  operand: FilterScalar,
): boolean {
  // Numbers only with numbers, strings only with strings (by UTF-16 code units).
  if (typeof operand === 'number' && typeof value === 'number') return ordered(op, value, operand);
  if (typeof operand === 'string' && typeof value === 'string') return ordered(op, value, operand);
  return false;
}

function ordered<T extends number | string>(op: CompareOp, value: T, operand: T): boolean {
  switch (op) {
    case 'gt':
      return value > operand;
    case 'gte':
      return value >= operand;
    case 'lt':
      return value < operand;
    case 'lte':
      return value <= operand;
    default:
      return false;
  }
}

function isIn(values: readonly FilterScalar[], value: JsonValue | undefined): boolean {
  // Arrays and objects never equal a scalar; strict equality rules them out below.
  if (typeof value === 'object' && value !== null) return false;
  if (values.length < IN_SET_THRESHOLD) {
    for (const v of values) if (v === value) return true;
    return false;
  }
  let set = inSets.get(values);
  if (set === undefined) {
    set = new Set(values);
    inSets.set(values, set);
  }
  return set.has(value as FilterScalar);
}
