/**
 * The portable filter language: what callers write ({@link Filter}) and the validated tree
 * that adapters compile ({@link FilterNode}).
 *
 * Callers write MongoDB-like objects:
 * `{ year: { $gte: 2025 }, lang: { $in: ['en', 'fr'] }, $or: [{ draft: false }, { owner: 'me' }] }`.
 * Top-level keys of one object are combined with AND. Field names match
 * {@link FIELD_NAME_PATTERN}; they name top-level payload keys.
 *
 * Semantics every backend follows:
 * - `$eq`, `$gt`, `$gte`, `$lt`, `$lte`, `$in` match only when the field exists and holds a scalar
 *   of the same type as the operand (numbers with numbers, strings with strings; booleans and
 *   null only with `$eq` / `$in`); strings compare by UTF-16 code units.
 * - `$ne` is exactly `NOT $eq`, `$nin` exactly `NOT $in`: they also match a missing field.
 * - `$exists: true` matches a field that is present (even when `null`); `$exists: false` a missing one.
 *
 * @module
 */

/** A value a filter compares against. */
export type FilterScalar = string | number | boolean | null;

/** The comparison operators of a field condition. */
export interface FieldOperators {
  /** Equal to. */
  $eq?: FilterScalar;
  /** Not equal to (also matches a missing field). */
  $ne?: FilterScalar;
  /** Greater than (numbers or strings). */
  $gt?: number | string;
  /** Greater than or equal to (numbers or strings). */
  $gte?: number | string;
  /** Less than (numbers or strings). */
  $lt?: number | string;
  /** Less than or equal to (numbers or strings). */
  $lte?: number | string;
  /** Equal to one of (at most 10,000 values). */
  $in?: readonly FilterScalar[];
  /** Equal to none of (also matches a missing field). */
  $nin?: readonly FilterScalar[];
  /** Present (`true`) or missing (`false`). */
  $exists?: boolean;
}

/** A condition on one field: a bare scalar means `$eq`. */
export type FieldCondition = FilterScalar | FieldOperators;

/**
 * A filter on payload fields. Keys are field names or the logical operators
 * `$and`, `$or` (arrays of filters) and `$not` (one filter).
 *
 * @example
 * ```ts
 * const f: Filter = { tenant: 'acme', year: { $gte: 2024, $lt: 2026 }, $not: { draft: true } };
 * ```
 */
export interface Filter {
  /** Every sub-filter matches. */
  $and?: readonly Filter[];
  /** At least one sub-filter matches. */
  $or?: readonly Filter[];
  /** The sub-filter does not match. */
  $not?: Filter;
  /** Field conditions. */
  [field: string]: FieldCondition | readonly Filter[] | Filter | undefined;
}

/** Field names a filter may use: an identifier, so that no adapter has to quote one. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The comparison operators in the validated tree. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/** All children match. */
export interface AndNode {
  /** Node discriminator. */
  readonly kind: 'and';
  /** Sub-filters, at least one. */
  readonly children: readonly FilterNode[];
}

/** At least one child matches. */
export interface OrNode {
  /** Node discriminator. */
  readonly kind: 'or';
  /** Sub-filters, at least one. */
  readonly children: readonly FilterNode[];
}

/** The child does not match. */
export interface NotNode {
  /** Node discriminator. */
  readonly kind: 'not';
  /** The negated sub-filter. */
  readonly child: FilterNode;
}

/** A comparison of one field with one value. */
export interface CompareNode {
  /** Node discriminator. */
  readonly kind: 'compare';
  /** Payload field name, matching {@link FIELD_NAME_PATTERN}. */
  readonly field: string;
  /** The comparison. */
  readonly op: CompareOp;
  /** The operand: a number or string for ordering operators, any scalar for `eq` / `ne`. */
  readonly value: FilterScalar;
}

/** Membership of one field's value in a list (`$in`), or its negation (`$nin`). */
export interface InNode {
  /** Node discriminator. */
  readonly kind: 'in';
  /** Payload field name, matching {@link FIELD_NAME_PATTERN}. */
  readonly field: string;
  /** The candidate values, at least one. */
  readonly values: readonly FilterScalar[];
  /** `true` for `$nin`. */
  readonly negated: boolean;
}

/** Presence (`$exists: true`) or absence of a field. */
export interface ExistsNode {
  /** Node discriminator. */
  readonly kind: 'exists';
  /** Payload field name, matching {@link FIELD_NAME_PATTERN}. */
  readonly field: string;
  /** `true` to match a present field, `false` a missing one. */
  readonly exists: boolean;
}

/**
 * The validated filter tree that adapters compile. Produced only by `parseFilter`, so every
 * field name matches {@link FIELD_NAME_PATTERN} and every operand has a legal type.
 */
export type FilterNode = AndNode | OrNode | NotNode | CompareNode | InNode | ExistsNode;
