/**
 * Options of `startNode()` and the flags of `vecmesh node`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  resolveNodeOptions,
} from '../../../src/node/server/server-options.js';
import { REPO_ROOT } from '../../helpers/node-process.js';

describe('node options', () => {
  it('defaults to loopback, a free port, memory, no key, 64 MiB, fsync on, no logs', () => {
    expect(resolveNodeOptions()).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: undefined,
      apiKey: undefined,
      bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
      fsync: true,
      logger: false,
    });
    expect(DEFAULT_BODY_LIMIT_BYTES).toBe(64 * 1024 * 1024);
  });

  it.each([
    [{ port: -1 }, /`port`/],
    [{ port: 70_000 }, /`port`/],
    [{ host: '' }, /`host`/],
    [{ apiKey: 3 }, /`apiKey`/],
    [{ bodyLimitBytes: 10 }, /`bodyLimitBytes`/],
    [{ fsync: 'yes' }, /`fsync`/],
    [{ dataDir: 1 }, /`dataDir`/],
    [{ prot: 1 }, /unknown option `prot`/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveNodeOptions(options as never)).toThrow(InvalidOptionError);
    expect(() => resolveNodeOptions(options as never)).toThrow(message);
  });
});

async function runCli(
  args: string[],
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stderr, stdout };
}

describe('vecmesh node flags', () => {
  it('exits 1 with a message on a bad port, before listening', async () => {
    const { code, stderr, stdout } = await runCli(['node', '--port', 'abc']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--port must be an integer from 0 to 65535/);
    expect(stdout).toBe('');
  });

  it('exits 1 with a message on an unknown flag', async () => {
    const { code, stderr } = await runCli(['node', '--prot', '7']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown option '--prot'/);
  });
});
