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
 * @module
 */
import { createRequire } from 'node:module';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type * as QdrantClientRest from '@qdrant/js-client-rest';
import type * as MilvusSdk from '@zilliz/milvus2-sdk-node';
import type * as IORedis from 'ioredis';
import type * as PromClient from 'prom-client';
import { MissingDependencyError } from './errors.js';

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
