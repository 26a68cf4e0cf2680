/**
 * The options of `reshard`, `updateTopology`, `abortReshard` and `repair`: their defaults, one
 * InvalidOptionError naming the option per bad value, and unknown keys refused.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_REPAIR_PAGE_SIZE,
  resolveAbortReshardOptions,
  resolveRepairOptions,
  resolveReshardOptions,
  resolveUpdateTopologyOptions,
} from '../../../src/core/maintenance-options.js';

/** The InvalidOptionError `fn` throws; fails the test when it throws nothing or another error. */
function rejection(fn: () => unknown): InvalidOptionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidOptionError);
    return err as InvalidOptionError;
  }
  throw new Error('expected a throw');
}

/** Bad values of the options every maintenance call shares, and the message each must give. */
const BAD_BATCH_SIZES: [unknown, RegExp][] = [
  [0, /`options.batchSize` must be an integer in \[1, \d+\], received number 0/],
  [2.5, /`options.batchSize` must be an integer/],
  ['500', /`options.batchSize` must be an integer.*received string "500"/],
];
const BAD_SIGNALS: [unknown, RegExp][] = [
  [{ aborted: false }, /`options.signal` must be an AbortSignal, received object Object/],
  [new AbortController(), /`options.signal` must be an AbortSignal, received object/],
  [true, /`options.signal` must be an AbortSignal, received boolean true/],
];
const BAD_CHECKPOINTS: [unknown, RegExp][] = [
  ['', /`options.checkpoint` must be a file path, received string ""/],
  [42, /`options.checkpoint` must be a file path, received number 42/],
];
const NOT_OBJECTS: unknown[] = [null, 'fast', 3, []];

/** `[options, message]` cases giving each bad value to option `key`. */
const cases = (key: string, bad: [unknown, RegExp][]): [object, RegExp][] =>
  bad.map(([value, message]) => [{ [key]: value }, message]);

describe('resolveReshardOptions', () => {
  it('fills in the defaults', () => {
    for (const input of [undefined, {}]) {
      expect(resolveReshardOptions(input)).toEqual({
        checkpoint: undefined,
        batchSize: DEFAULT_BATCH_SIZE,
        collections: undefined,
        signal: undefined,
        onProgress: undefined,
      });
    }
    expect(DEFAULT_BATCH_SIZE).toBe(500);
  });

  it('keeps what is given, sorts the collections, and freezes the result', () => {
    const signal = new AbortController().signal;
    const onProgress = () => undefined;
    const resolved = resolveReshardOptions({
      checkpoint: './reshard.json',
      batchSize: 20,
      collections: ['b', 'a'],
      signal,
      onProgress,
    });
    expect(resolved).toEqual({
      checkpoint: './reshard.json',
      batchSize: 20,
      collections: ['a', 'b'],
      signal,
      onProgress,
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.collections)).toBe(true);
  });

  it.each<[object, RegExp]>([
    ...cases('batchSize', BAD_BATCH_SIZES),
    ...cases('signal', BAD_SIGNALS),
    ...cases('checkpoint', BAD_CHECKPOINTS),
    [{ collections: [] }, /`options.collections` must be a non-empty array/],
    [{ collections: 'docs' }, /`options.collections` must be a non-empty array.*string "docs"/],
    [{ collections: ['docs', 1] }, /`options.collections` must be a non-empty array/],
    [{ onProgress: 'log' }, /`options.onProgress` must be a function, received string "log"/],
  ])('refuses %o, naming the option', (input, message) => {
    expect(rejection(() => resolveReshardOptions(input)).message).toMatch(message);
  });

  it('refuses unknown keys and a non-object', () => {
    expect(rejection(() => resolveReshardOptions({ batch: 5 })).message).toMatch(
      /unknown option `options.batch`; expected one of checkpoint, batchSize, collections, signal, onProgress/,
    );
    for (const input of NOT_OBJECTS) {
      expect(rejection(() => resolveReshardOptions(input)).message).toMatch(
        /`options` must be an object/,
      );
    }
  });
});

describe('resolveUpdateTopologyOptions', () => {
  it('fills in the defaults', () => {
    for (const input of [undefined, {}]) {
      expect(resolveUpdateTopologyOptions(input)).toEqual({
        batchSize: DEFAULT_BATCH_SIZE,
        signal: undefined,
      });
    }
    const signal = AbortSignal.abort();
    const resolved = resolveUpdateTopologyOptions({ batchSize: 10, signal });
    expect(resolved).toEqual({ batchSize: 10, signal });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each<[object, RegExp]>([
    ...cases('batchSize', BAD_BATCH_SIZES),
    ...cases('signal', BAD_SIGNALS),
  ])('refuses %o, naming the option', (input, message) => {
    expect(rejection(() => resolveUpdateTopologyOptions(input)).message).toMatch(message);
  });

  it('refuses unknown keys (a reshard-only option too) and a non-object', () => {
    expect(rejection(() => resolveUpdateTopologyOptions({ checkpoint: 'x' })).message).toMatch(
      /unknown option `options.checkpoint`; expected one of batchSize, signal/,
    );
    for (const input of NOT_OBJECTS) {
      expect(rejection(() => resolveUpdateTopologyOptions(input)).message).toMatch(
        /`options` must be an object/,
      );
    }
  });
});

describe('resolveAbortReshardOptions', () => {
  it('fills in the defaults', () => {
    for (const input of [undefined, {}]) {
      expect(resolveAbortReshardOptions(input)).toEqual({
        checkpoint: undefined,
        batchSize: DEFAULT_BATCH_SIZE,
      });
    }
    const resolved = resolveAbortReshardOptions({ checkpoint: './reshard.json', batchSize: 7 });
    expect(resolved).toEqual({ checkpoint: './reshard.json', batchSize: 7 });
    expect(Object.isFrozen(resolved)).toBe(true);
  });

  it.each<[object, RegExp]>([
    ...cases('batchSize', BAD_BATCH_SIZES),
    // The same check as reshard's: an empty path is refused too.
    ...cases('checkpoint', BAD_CHECKPOINTS),
  ])('refuses %o, naming the option', (input, message) => {
    expect(rejection(() => resolveAbortReshardOptions(input)).message).toMatch(message);
  });

  it('refuses unknown keys (signal is not one) and a non-object', () => {
    expect(
      rejection(() => resolveAbortReshardOptions({ signal: AbortSignal.abort() })).message,
    ).toMatch(/unknown option `options.signal`; expected one of checkpoint, batchSize/);
    for (const input of NOT_OBJECTS) {
      expect(rejection(() => resolveAbortReshardOptions(input)).message).toMatch(
        /`options` must be an object/,
      );
    }
  });
});

describe('resolveRepairOptions', () => {
  it('fills in the defaults', () => {
    for (const input of [undefined, {}]) {
      expect(resolveRepairOptions(input)).toEqual({
        pageSize: DEFAULT_REPAIR_PAGE_SIZE,
        batchSize: DEFAULT_BATCH_SIZE,
        signal: undefined,
      });
    }
    expect(DEFAULT_REPAIR_PAGE_SIZE).toBe(1000);
  });

  it('keeps what is given, freezes it, and resolves a resolved object to the same values', () => {
    const signal = new AbortController().signal;
    const resolved = resolveRepairOptions({ pageSize: 4, batchSize: 5, signal });
    expect(resolved).toEqual({ pageSize: 4, batchSize: 5, signal });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveRepairOptions(resolved)).toEqual(resolved);
    expect(resolveRepairOptions(resolveRepairOptions({}))).toEqual(resolveRepairOptions({}));
  });

  it.each<[object, RegExp]>([
    [{ pageSize: 0 }, /`options.pageSize` must be an integer in \[1, \d+\], received number 0/],
    [{ pageSize: 1.5 }, /`options.pageSize` must be an integer/],
    ...cases('batchSize', BAD_BATCH_SIZES),
    ...cases('signal', BAD_SIGNALS),
  ])('refuses %o, naming the option', (input, message) => {
    expect(rejection(() => resolveRepairOptions(input)).message).toMatch(message);
  });

  it('refuses unknown keys and a non-object', () => {
    expect(rejection(() => resolveRepairOptions({ page: 3 })).message).toMatch(
      /unknown option `options.page`; expected one of pageSize, batchSize, signal/,
    );
    for (const input of NOT_OBJECTS) {
      expect(rejection(() => resolveRepairOptions(input)).message).toMatch(
        /`options` must be an object/,
      );
    }
  });
});
