/**
 * Runs `examples/mixed-topology.ts` as a user would (`npx tsx ...`), against the integration
 * project's Milvus Lite, and checks that it exits cleanly having searched all four shards.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, inject, it } from 'vitest';

describe('examples/mixed-topology.ts', () => {
  it('ingests into Milvus and reference-node shards, searches them together, stops everything', async () => {
    const child = spawn('npx', ['tsx', 'examples/mixed-topology.ts'], {
      env: { ...process.env, MILVUS_ADDRESS: inject('milvusAddress') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('upserted 400 documents');
    const counts = [...stdout.matchAll(/shard (milvus|node)\/\S+\s+(\d+) points/g)];
    expect(counts.map((m) => m[1])).toEqual(['milvus', 'milvus', 'node', 'node']);
    expect(counts.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(400);
    expect(counts.every((m) => Number(m[2]) > 0)).toBe(true);
    expect(stdout).toContain('total across shards: 400');
    expect(stdout).toMatch(/merged from 4 shards/);
    expect(stdout.match(/^ {3}doc-\d+ /gm)).toHaveLength(5);
    expect(stdout).toContain('stopped everything');
  });
});
