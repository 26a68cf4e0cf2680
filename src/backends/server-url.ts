/**
 * The `url` option of the adapters that speak HTTP to one server: an `http:` or `https:` URL
 * naming the server alone, its credentials passed as `apiKey` instead.
 *
 * @module
 */
import { InvalidOptionError, describeValue } from '../core/errors.js';

/**
 * Validates a `url` option.
 *
 * @param value - What the caller passed as `url`.
 * @param example - A URL of the right form, for messages, e.g. `http://127.0.0.1:6333`.
 * @param server - What the URL names, for messages, e.g. `server` or `node`.
 * @returns The parsed URL (its path is `/`).
 * @throws {@link InvalidOptionError} when it is not a string, not a URL, not `http:` or
 *   `https:`, has a path, query or fragment, or holds credentials.
 *
 * @example
 * ```ts
 * parseServerUrl('http://127.0.0.1:7001/', 'http://127.0.0.1:7001', 'node').origin;
 * // 'http://127.0.0.1:7001'
 * ```
 */
export function parseServerUrl(value: unknown, example: string, server: string): URL {
  const bad = (why: string): InvalidOptionError =>
    new InvalidOptionError(`\`url\` ${why}, received ${describeValue(value)}`);
  if (typeof value !== 'string') throw bad(`must be a string such as ${example}`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw bad(`must be a URL such as ${example}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw bad('must use http: or https:');
  }
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '') {
    throw bad(`must name only the ${server} (scheme, host and port), without a path or query`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw bad('must not hold credentials; pass `apiKey` instead');
  }
  return parsed;
}
