import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileHintStore } from '../../../../src/replication/hints/file-hint-store.js';
import {
  LOG_SUFFIX,
  replicaBaseName,
  STATE_SUFFIX,
} from '../../../../src/replication/hints/hint-files.js';
import { headerLine } from '../../../../src/replication/hints/hint-record.js';
import { upsertHint } from './describe-hint-store.js';
import { cleanUpAfterEach, logPath, R1, reopen, tempDir, track } from './file-store-fixture.js';

cleanUpAfterEach();

describe('fileHintStore: damaged files', () => {
  it('drops a torn tail, reports it, keeps earlier hints and appends after them', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    for (let i = 0; i < 3; i++) await first.store.append(R1, upsertHint(i));
    await first.store.close();
    const size = (await stat(logPath(dir))).size;
    await appendFile(logPath(dir), '1a2b3c4d {"seq":4,"createdAt":17000,"collection":"do');

    const second = await reopen(dir);
    expect(second.reports).toHaveLength(1);
    expect(second.reports[0]).toMatchObject({
      file: logPath(dir),
      replicaId: R1,
      offset: size,
      needsRepair: false,
    });
    expect(second.reports[0]!.reason).toMatch(/torn tail/);
    expect(second.store.needsRepair(R1)).toBe(false);
    expect((await second.store.pending(R1, 10)).map((h) => h.seq)).toEqual([1, 2, 3]);
    expect(await second.store.append(R1, upsertHint(3))).toBe('stored');
    await second.store.close();

    const third = await reopen(dir);
    expect(third.reports).toEqual([]);
    const hints = await third.store.pending(R1, 10);
    expect(hints.map((h) => h.seq)).toEqual([1, 2, 3, 4]);
    expect(hints[3]!.points).toEqual(upsertHint(3).points);
  });

  it('drops binary garbage after the last record the same way', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    await first.store.append(R1, upsertHint(0));
    await first.store.close();
    await appendFile(logPath(dir), Buffer.from([0, 0, 0, 0, 0xff, 0xfe, 0x00]));
    const second = await reopen(dir);
    expect(second.reports).toMatchObject([{ needsRepair: false }]);
    expect(second.store.count(R1)).toBe(1);
  });

  it('cuts from a corrupt record in the middle on, reports it and marks the replica', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    for (let i = 0; i < 4; i++) await first.store.append(R1, upsertHint(i));
    await first.store.close();
    const bytes = await readFile(logPath(dir));
    const lines = bytes.toString('utf8').split('\n');
    const second = lines[2]!; // header, seq 1, seq 2
    const offset = bytes.indexOf(second);
    const at = offset + second.indexOf('"p1"') + 1;
    bytes[at] = 'q'.charCodeAt(0); // the checksum no longer holds
    await writeFile(logPath(dir), bytes);

    const reopened = await reopen(dir);
    expect(reopened.reports).toHaveLength(1);
    expect(reopened.reports[0]).toMatchObject({
      replicaId: R1,
      offset,
      droppedBytes: bytes.length - offset,
      needsRepair: true,
    });
    expect(reopened.reports[0]!.reason).toMatch(/checksum/);
    // Records after the damage may have been acknowledged: the replica needs repair, and a
    // marked replica holds no hints (a gappy log is never replayed).
    expect(reopened.store.needsRepair(R1)).toBe(true);
    expect(reopened.store.count(R1)).toBe(0);
    expect((await stat(logPath(dir))).size).toBe(headerLine(R1).length);
    await reopened.store.clearNeedsRepair(R1);
    expect(await reopened.store.append(R1, upsertHint(9))).toBe('stored');
    expect((await reopened.store.pending(R1, 10)).map((h) => h.seq)).toEqual([5]);
  });

  it('treats a damaged state file as lost acks: reports, discards, marks', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    await first.store.append(R1, upsertHint(0));
    await first.store.append(R1, upsertHint(1));
    await first.store.ack(R1, 1);
    await first.store.close();
    await writeFile(join(dir, replicaBaseName(R1) + STATE_SUFFIX), 'garbage\n');
    const second = await reopen(dir);
    expect(second.reports).toMatchObject([{ replicaId: R1, needsRepair: true }]);
    expect(second.store.needsRepair(R1)).toBe(true);
    expect(second.store.count(R1)).toBe(0);
  });

  it('leaves files it cannot attribute in place and starts anyway', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'mystery-0000000000000000' + LOG_SUFFIX), 'not a log\n');
    await writeFile(join(dir, 'half.state.tmp'), 'interrupted');
    await writeFile(join(dir, 'README'), 'unrelated');
    const { store, reports } = await reopen(dir);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.reason).toMatch(/cannot tell which replica/);
    expect(store.replicas()).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['README', 'mystery-0000000000000000.hints.log']);
  });

  it('notices a record damaged while running, reports it and marks the replica', async () => {
    const dir = await tempDir();
    const { store, reports } = await reopen(dir);
    await store.append(R1, upsertHint(0));
    await store.append(R1, upsertHint(1));
    const bytes = await readFile(logPath(dir));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    await writeFile(logPath(dir), bytes);
    expect(await store.pending(R1, 10)).toEqual([]);
    expect(reports).toMatchObject([{ replicaId: R1, needsRepair: true }]);
    expect(store.needsRepair(R1)).toBe(true);
  });

  it('ignores an onCorruption callback that throws', async () => {
    const dir = await tempDir();
    const first = await reopen(dir);
    await first.store.append(R1, upsertHint(0));
    await first.store.close();
    await appendFile(logPath(dir), 'torn');
    const store = fileHintStore({
      dir,
      onCorruption: () => {
        throw new Error('callback failed');
      },
    });
    track(store);
    await store.open();
    expect(store.count(R1)).toBe(1);
  });
});
