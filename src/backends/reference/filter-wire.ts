/**
 * Turns a validated filter tree back into the portable filter language, which is what the
 * reference node's API accepts (it validates it again with `parseFilter`).
 *
 * @module
 */
import type { CompareOp, FieldOperators, Filter, FilterNode } from '../../core/filter-ast.js';

const OPERATOR: Readonly<Record<CompareOp, keyof FieldOperators>> = {
  eq: '$eq',
  ne: '$ne',
  gt: '$gt',
  gte: '$gte',
  lt: '$lt',
  lte: '$lte',
};

/**
 * The portable filter that `parseFilter` turns into the same tree.
 *
 * Every node becomes one object with one key (`$and`, `$or`, `$not`, or the field name with one
 * operator), so that two conditions on the same field never collide. Field names were checked by
 * `parseFilter`, and a computed key is an own data property even for `__proto__`.
 *
 * @param node - A tree produced by `parseFilter`.
 * @returns A JSON-safe filter.
 *
 * @example
 * ```ts
 * filterToWire(parseFilter({ year: { $gte: 2020, $lt: 2025 } })!);
 * // { $and: [{ year: { $gte: 2020 } }, { year: { $lt: 2025 } }] }
 * ```
 */
export function filterToWire(node: FilterNode): Filter {
  switch (node.kind) {
    case 'and':
      return { $and: node.children.map(filterToWire) };
    case 'or':
      return { $or: node.children.map(filterToWire) };
    case 'not':
      return { $not: filterToWire(node.child) };
    case 'compare':
      return field(node.field, { [OPERATOR[node.op]]: node.value });
    case 'in':
      return field(node.field, node.negated ? { $nin: node.values } : { $in: node.values });
    case 'exists':
      return field(node.field, { $exists: node.exists });
  }
}

function field(name: string, condition: FieldOperators): Filter {
  return { [name]: condition };
}
