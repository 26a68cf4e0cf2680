/**
 * Optional peer dependencies, loaded only by the feature that needs them.
 *
 * `npm install vecmesh` brings the router, the memory backend and the reference node; the
 * backend SDKs, `ioredis`, `prom-client` and `@opentelemetry/api` are optional peers that an
 * application installs when it uses what needs them. Nothing imports them statically: the
 * feature calls {@link loadOptional} when it is first used, and a missing package becomes a
 * {@link MissingDependencyError} that names it, instead of `ERR_MODULE_NOT_FOUND` at import.
 *
 * They are loaded with `require` (every one of them ships CommonJS, and Node >= 20.19 can also
 * `require` ES modules), so factories such as `redisCacheStore()` stay synchronous.
 *
 * Instances of these packages that a caller passes in (a Redis client, a prom-client `Registry`)
 * are checked by shape with {@link checkShape}, never with `instanceof`: the application's copy
 * of a package need not be the one vecmesh resolves (another version in the range, a second
 * install), and an `instanceof` across two copies is always false.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type * as QdrantClientRest from '@qdrant/js-client-rest';
import type * as MilvusSdk from '@zilliz/milvus2-sdk-node';
import type * as IORedis from 'ioredis';
import type * as PromClient from 'prom-client';
import { InvalidOptionError, MissingDependencyError, describeValue } from './errors.js';

/**
 * Each optional peer and the range vecmesh is tested with; `package.json`'s
 * `peerDependencies` says the same (a unit test keeps the two in step).
 */
export const OPTIONAL_PEERS = Object.freeze({
  ioredis: '^5.4.0 || ^6.0.0',
  'prom-client': '^15.0.0',
  '@opentelemetry/api': '^1.4.0',
  '@zilliz/milvus2-sdk-node': '^3.0.6',
  '@qdrant/js-client-rest': '^1.18.0',
} as const);

/** The name of an optional peer dependency. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** The module each optional peer loads as (types only: nothing here imports them). */
export interface OptionalPeerModules {
  ioredis: typeof IORedis;
  'prom-client': typeof PromClient;
  '@opentelemetry/api': typeof OpenTelemetryApi;
  '@zilliz/milvus2-sdk-node': typeof MilvusSdk;
  '@qdrant/js-client-rest': typeof QdrantClientRest;
}

const requireFromHere = createRequire(import.meta.url);
const loaded = new Map<OptionalPeer, unknown>();

/** Whether `error` says that `name` itself (not something it requires) is not installed. */
function isMissing(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  return typeof message === 'string' && message.includes(`'${name}'`);
}

/**
 * Loads an optional peer dependency once and returns its module.
 *
 * @param name - The package.
 * @param feature - What needs it, for the message (e.g. `` `redisCacheStore({ url })` ``).
 * @returns The package's module (its CommonJS exports).
 * @throws `MissingDependencyError` when the package is not installed, naming it, its range and
 *   the `npm install` command. Any other failure to load it (a broken install) is rethrown.
 *
 * @example
 * ```ts
 * const { Redis } = loadOptional('ioredis', '`redisCacheStore({ url })`');
 * ```
 */
export function loadOptional<N extends OptionalPeer>(
  name: N,
  feature: string,
): OptionalPeerModules[N] {
  if (loaded.has(name)) return loaded.get(name) as OptionalPeerModules[N];
  let module: unknown;
  try {
    module = requireFromHere(name);
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    throw new MissingDependencyError(
      name,
      `${feature} needs the optional peer dependency ${name} (${OPTIONAL_PEERS[name]}), which is not installed: run \`npm install ${name}\``,
      { cause: error },
    );
  }
  loaded.set(name, module);
  return module as OptionalPeerModules[N];
}

/**
 * Loads an optional peer dependency when it is installed, for features that quietly do
 * nothing without it (tracing without `@opentelemetry/api`: no SDK can be registered then).
 *
 * @param name - The package.
 * @returns Its module, or `undefined` when it is not installed.
 * @throws Whatever loading an installed but broken package throws.
 */
export function loadOptionalIfInstalled<N extends OptionalPeer>(
  name: N,
): OptionalPeerModules[N] | undefined {
  try {
    return loadOptional(name, name);
  } catch (error) {
    if (error instanceof MissingDependencyError) return undefined;
    throw error;
  }
}

/**
 * Checks that a caller's object has the methods vecmesh will call on it (and the string
 * properties it reads), so that a look-alike fails at once with a message naming what is
 * missing rather than later with `x.evalsha is not a function`.
 *
 * @param value - What the caller passed.
 * @param option - The option's path, e.g. `redisCacheStore.client`.
 * @param expected - What it must be, e.g. `an ioredis Redis or Cluster client`.
 * @param shape - The method names, and the names of string properties.
 * @throws `InvalidOptionError` naming the option, what it must be, and every missing member.
 *
 * @example
 * ```ts
 * checkShape(raw.registry, 'registry', 'a prom-client Registry', {
 *   methods: ['registerMetric', 'getSingleMetric'],
 * });
 * ```
 */
export function checkShape(
  value: unknown,
  option: string,
  expected: string,
  shape: { readonly methods: readonly string[]; readonly strings?: readonly string[] },
): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw new InvalidOptionError(
      `\`${option}\` must be ${expected}, received ${describeValue(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const missing = [
    ...shape.methods.filter((m) => typeof record[m] !== 'function').map((m) => `method \`${m}\``),
    ...(shape.strings ?? [])
      .filter((p) => typeof record[p] !== 'string')
      .map((p) => `string property \`${p}\``),
  ];
  if (missing.length > 0) {
    throw new InvalidOptionError(
      `\`${option}\` must be ${expected}: it has no ${missing.join(', ')}`,
    );
  }
}
