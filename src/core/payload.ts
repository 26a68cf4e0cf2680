/**
 * Payload checks and safe copies.
 *
 * A payload is a plain JSON object. It is validated once where it enters (bounded depth and
 * size, JSON types only) and copied with {@link clonePayload} wherever ownership changes hands,
 * so that neither side can change the other's data and keys such as `__proto__` stay plain
 * data. The mesh goes further and refuses `__proto__` and `constructor.prototype` keys (see
 * {@link PrototypeKeys}), as the reference node does, so that a batch is refused whole rather
 * than half-written by the backends that refuse them.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import type { JsonValue, Payload } from './types.js';

/** The largest payload accepted by default, in bytes of its UTF-8 JSON encoding (1 MiB). */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** The deepest nesting of objects and arrays accepted in a payload (the payload itself is 1). */
export const MAX_PAYLOAD_DEPTH = 32;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * What {@link validatePayload} does with a key that can reach an object's prototype: a
 * `__proto__` key, or a `constructor` key holding an object with a `prototype` key (the two
 * keys fastify's secure JSON parser, and so the reference node, refuses).
 *
 * - `keep`: accepted as plain data (the memory backend and the node's store keep them so).
 * - `refuse`: rejected with an `InvalidArgumentError` naming the key's path (the mesh's rule).
 */
export type PrototypeKeys = 'keep' | 'refuse';

/**
 * Whether a value is an object literal (or `Object.create(null)`), not an array or a class
 * instance.
 *
 * @param value - Any value.
 * @returns `true` for plain objects.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 });     // true
 * isPlainObject(new Date());   // false
 * isPlainObject([1, 2]);       // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that a value is a valid payload.
 *
 * A payload is `undefined` (none) or a plain object whose values are JSON: finite numbers,
 * strings, booleans, `null`, arrays and plain objects, nested at most {@link MAX_PAYLOAD_DEPTH}
 * levels, and at most `maxBytes` long as UTF-8 JSON. `undefined` values, functions, bigints,
 * dates and other class instances are rejected rather than silently dropped. With
 * `prototypeKeys: 'refuse'`, a `__proto__` or `constructor.prototype` key at any depth is
 * rejected too, checked in the same walk.
 *
 * @param value - The candidate payload.
 * @param path - Where the value came from, used in error messages (e.g. `points[3].payload`).
 * @param maxBytes - The size limit in bytes of UTF-8 JSON.
 * @param prototypeKeys - Whether keys that can reach a prototype are kept as data or refused.
 * @default maxBytes {@link MAX_PAYLOAD_BYTES} (1 MiB)
 * @default prototypeKeys 'keep'
 * @returns The same value, typed as a payload (not a copy; see {@link clonePayload}).
 * @throws {@link InvalidArgumentError} naming the offending path and what it held.
 *
 * @example
 * ```ts
 * validatePayload({ title: 'Dune', year: 1965, tags: ['sf'] }, 'payload'); // ok
 * validatePayload({ when: new Date() }, 'payload'); // throws: `payload.when` must be JSON ...
 * validatePayload(JSON.parse('{"a": {"__proto__": {}}}'), 'payload', MAX_PAYLOAD_BYTES, 'refuse');
 * // throws: `payload.a.__proto__` is refused: ...
 * ```
 */
export function validatePayload(
  value: unknown,
  path: string,
  maxBytes: number = MAX_PAYLOAD_BYTES,
  prototypeKeys: PrototypeKeys = 'keep',
): Payload | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(
      `\`${path}\` must be a plain object, received ${describeValue(value)}`,
    );
  }
  const walker = new PayloadWalker(path, maxBytes, prototypeKeys === 'refuse');
  walker.visit(value, 1);
  // The walk bounded the work with a lower bound of the size; this is the exact figure.
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > maxBytes) throw walker.sizeError(`${bytes} bytes`);
  return value as Payload;
}

/** Walks a candidate payload once, keeping the path as a stack so errors can name it. */
class PayloadWalker {
  private readonly segments: (string | number)[] = [];
  // A lower bound of the JSON length, so that a huge value is refused early.
  private bytesAtLeast = 0;

  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
    private readonly refusePrototypeKeys: boolean,
  ) {}

  visit(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        this.add(value.length + 2);
        return;
      case 'boolean':
        this.add(value ? 4 : 5);
        return;
      case 'number':
        if (!Number.isFinite(value)) throw this.typeError(value);
        this.add(1);
        return;
      case 'object':
        break;
      default:
        throw this.typeError(value);
    }
    if (value === null) {
      this.add(4);
      return;
    }
    if (depth > MAX_PAYLOAD_DEPTH) {
      throw new InvalidArgumentError(
        `\`${this.path()}\` nests deeper than ${MAX_PAYLOAD_DEPTH} levels of objects and arrays`,
      );
    }
    this.add(2);
    if (Array.isArray(value)) {
      const items = value as readonly unknown[];
      for (let i = 0; i < items.length; i++) {
        if (i > 0) this.add(1); // the comma
        this.segments.push(i);
        this.visit(items[i], depth + 1);
        this.segments.pop();
      }
      return;
    }
    if (!isPlainObject(value)) throw this.typeError(value);
    let first = true;
    for (const key of Object.keys(value)) {
      // `"key":` and the comma before every key but the first.
      this.add(key.length + (first ? 3 : 4));
      first = false;
      this.segments.push(key);
      const child = value[key];
      if (this.refusePrototypeKeys && reachesPrototype(key, child)) {
        if (key === 'constructor') this.segments.push('prototype');
        throw new InvalidArgumentError(
          `\`${this.path()}\` is refused: a \`__proto__\` or \`constructor.prototype\` key can reach an object's prototype`,
        );
      }
      this.visit(child, depth + 1);
      this.segments.pop();
    }
  }

  sizeError(received: string): InvalidArgumentError {
    return new InvalidArgumentError(
      `\`${this.root}\` must be at most ${this.maxBytes} bytes as JSON, received ${received}`,
    );
  }

  private add(bytes: number): void {
    this.bytesAtLeast += bytes;
    if (this.bytesAtLeast > this.maxBytes) throw this.sizeError(`more than ${this.maxBytes} bytes`);
  }

  private typeError(value: unknown): InvalidArgumentError {
    return new InvalidArgumentError(
      `\`${this.path()}\` must be JSON (a finite number, string, boolean, null, array or plain object), received ${describeValue(value)}`,
    );
  }

  private path(): string {
    let out = this.root;
    for (const s of this.segments) {
      out +=
        typeof s === 'number' ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    }
    return out;
  }
}

/**
 * Whether `key` holding `value` is one of the keys fastify's secure JSON parser refuses:
 * `__proto__`, or `constructor` holding an object with an own `prototype` key.
 */
function reachesPrototype(key: string, value: unknown): boolean {
  if (key === '__proto__') return true;
  return (
    key === 'constructor' &&
    typeof value === 'object' &&
    value !== null &&
    Object.hasOwn(value, 'prototype')
  );
}

/**
 * Deep-copies a validated payload. Every object of the copy is a fresh plain object whose keys
 * are own data properties, so a key such as `__proto__` is copied as data and can neither
 * change the copy's prototype nor pollute `Object.prototype`.
 *
 * @param payload - A payload that passed {@link validatePayload}, or `undefined`.
 * @returns An independent copy (or `undefined`).
 *
 * @example
 * ```ts
 * const copy = clonePayload(JSON.parse('{"__proto__": {"polluted": 1}}'));
 * Object.hasOwn(copy, '__proto__'); // true
 * ({} as { polluted?: number }).polluted; // undefined
 * ```
 */
export function clonePayload(payload: Payload): Payload;
export function clonePayload(payload: Payload | undefined): Payload | undefined;
export function clonePayload(payload: Payload | undefined): Payload | undefined {
  return payload === undefined ? undefined : cloneObject(payload);
}

function cloneObject(source: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(source)) {
    const v = cloneValue(source[key] as JsonValue);
    if (key === '__proto__') {
      // Plain assignment would call the `__proto__` setter; define it as data instead.
      Object.defineProperty(out, key, {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[key] = v;
    }
  }
  return out;
}

function cloneValue(value: JsonValue): JsonValue {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneValue(value[i] as JsonValue);
    return out;
  }
  return cloneObject(value);
}

/**
 * The one-letter type of a JSON value: `s` string, `n` number, `b` boolean, `z` null, `a`
 * array, `o` object. Adapters that store type tags beside payloads (Milvus, Qdrant) use these
 * letters, so that their filters can be exact about types.
 */
export type JsonTypeTag = 's' | 'n' | 'b' | 'z' | 'a' | 'o';

/** Every {@link JsonTypeTag}. */
export const JSON_TYPE_TAGS: readonly JsonTypeTag[] = Object.freeze(['s', 'n', 'b', 'z', 'a', 'o']);

/**
 * The type tag of a JSON value.
 *
 * @example
 * ```ts
 * jsonTypeTag([1]); // 'a'
 * jsonTypeTag(null); // 'z'
 * ```
 */
export function jsonTypeTag(value: unknown): JsonTypeTag {
  if (value === null) return 'z';
  if (Array.isArray(value)) return 'a';
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    default:
      return 'o';
  }
}
