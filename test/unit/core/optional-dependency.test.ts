/**
 * The optional peers as declared in code and in package.json, loading an installed one, and the
 * shape check used for instances of them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  OPTIONAL_PEERS,
  checkShape,
  loadOptional,
  loadOptionalIfInstalled,
} from '../../../src/core/optional-dependency.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

describe('OPTIONAL_PEERS', () => {
  it("equals package.json's peerDependencies, every one of them optional", () => {
    expect({ ...OPTIONAL_PEERS }).toEqual(pkg.peerDependencies);
    for (const name of Object.keys(OPTIONAL_PEERS)) {
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
    }
  });
});

describe('loadOptional', () => {
  it('returns the installed package, the same module require gives, once', () => {
    const require = createRequire(import.meta.url);
    const promClient = loadOptional('prom-client', 'a test');
    expect(promClient).toBe(require('prom-client'));
    expect(loadOptional('prom-client', 'a test')).toBe(promClient);
    expect(loadOptionalIfInstalled('ioredis')).toBe(require('ioredis'));
  });
});

describe('checkShape', () => {
  const shape = { methods: ['get', 'set'], strings: ['status'] } as const;

  it('accepts an object, or a function, with the members', () => {
    expect(() => {
      checkShape({ get() {}, set() {}, status: 'ready' }, 'opt', 'a thing', shape);
    }).not.toThrow();
    const fn = Object.assign(() => undefined, { get() {}, set() {}, status: 'x' });
    expect(() => {
      checkShape(fn, 'opt', 'a thing', shape);
    }).not.toThrow();
  });

  it('names the option, what it must be, and every missing member', () => {
    expect(() => {
      checkShape({ get: 1, status: 2 }, 'opt', 'a thing', shape);
    }).toThrow(
      new InvalidOptionError(
        '`opt` must be a thing: it has no method `get`, method `set`, string property `status`',
      ),
    );
    expect(() => {
      checkShape(null, 'opt', 'a thing', shape);
    }).toThrow(new InvalidOptionError('`opt` must be a thing, received null'));
  });
});
