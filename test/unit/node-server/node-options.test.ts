/**
 * Options of `startNode()` and the flags of `vecmesh node`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionError } from '../../../src/core/errors.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  resolveNodeOptions,
} from '../../../src/node/server/server-options.js';
import { startNode } from '../../../src/node/server/start-node.js';
import { MANIFEST_FILE_NAME } from '../../../src/node/store/snapshot-manifest.js';
import { REPO_ROOT } from '../../helpers/node-process.js';

describe('node options', () => {
  it('defaults to loopback, a free port, memory, no key, 64 MiB, 10 s / 30 s to send a request, fsync on, snapshots by 64 MiB or 60 s, no logs', () => {
    expect(resolveNodeOptions()).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: undefined,
      apiKey: undefined,
      bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      fsync: true,
      snapshotEveryBytes: 64 * 1024 * 1024,
      snapshotMaxAgeMs: 60_000,
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
    [{ snapshotEveryBytes: 0 }, /`snapshotEveryBytes`/],
    [{ snapshotMaxAgeMs: -1 }, /`snapshotMaxAgeMs`/],
    [{ snapshotMaxAgeMs: 2 ** 31 }, /`snapshotMaxAgeMs`/],
    [{ dataDir: 1 }, /`dataDir`/],
    [{ prot: 1 }, /unknown option `prot`/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveNodeOptions(options as never)).toThrow(InvalidOptionError);
    expect(() => resolveNodeOptions(options as never)).toThrow(message);
  });
});

describe('startNode: request timeouts', () => {
  it('hands them to the server: a stalled body gets 408 and the connection is closed', async () => {
    const node = await startNode({ headersTimeoutMs: 100, requestTimeoutMs: 200 });
    try {
      const socket = connect(node.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        'PUT /collections/docs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"d',
      );
      let received = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      const timer = setTimeout(() => socket.destroy(), 10_000);
      await once(socket, 'close');
      clearTimeout(timer);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await node.close();
    }
  });
});

describe('startNode: store options', () => {
  it('hands the snapshot thresholds to the store: a write is snapshotted by age', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vecmesh-node-'));
    const node = await startNode({ dataDir: dir, snapshotMaxAgeMs: 50 });
    try {
      const created = await fetch(`${node.url}/collections/docs`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dimension: 2, metric: 'l2' }),
      });
      expect(created.status).toBe(201);
      // No snapshot is due by size (64 MiB), so the manifest can only come from the age timer.
      await vi.waitFor(
        async () => {
          expect(await readdir(dir)).toContain(MANIFEST_FILE_NAME);
        },
        { timeout: 10_000, interval: 20 },
      );
    } finally {
      await node.close();
      await rm(dir, { recursive: true, force: true });
    }
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
