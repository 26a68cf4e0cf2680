/**
 * Child process of the `recovery` benchmark: opens a reference node's store on a directory with
 * automatic snapshots off (by size and by age), writes random points of dimension 128 (100 per upsert, each
 * acknowledged, fsync on) until the write-ahead log holds the requested bytes, prints one JSON
 * line `{"event":"written","acked":n,"walBytes":b,"writeMs":t}` and waits to be killed.
 *
 * Usage: `node --import tsx bench/lib/wal-writer.ts <dir> <walBytes> <collection>`.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../../src/node/store/index.js';
import { WAL_FILE_NAME } from '../../src/node/store/wal-file.js';
import { seededRandom } from '../../src/testing/seeded-random.js';

const DIMENSION = 128;
const BATCH = 100;

async function main(dir: string, walBytes: number, collection: string): Promise<void> {
  const store = await openStore({
    dir,
    snapshotEveryBytes: Number.MAX_SAFE_INTEGER,
    snapshotMaxAgeMs: 0,
  });
  await store.createCollection(collection, { dimension: DIMENSION, metric: 'cosine' });
  const random = seededRandom(7);
  const started = performance.now();
  let acked = 0;
  for (;;) {
    const points = Array.from({ length: BATCH }, (_, i) => {
      const vector = new Float32Array(DIMENSION);
      for (let k = 0; k < DIMENSION; k++) vector[k] = random() * 2 - 1;
      const id = acked + i;
      return { id, vector, payload: { i: id, group: `g${id % 10}` } };
    });
    await store.upsert(collection, points);
    acked += BATCH;
    const size = (await stat(join(dir, WAL_FILE_NAME))).size;
    if (size >= walBytes) {
      const writeMs = Math.round(performance.now() - started);
      process.stdout.write(
        `${JSON.stringify({ event: 'written', acked, walBytes: size, writeMs })}\n`,
      );
      break;
    }
  }
  // Stay alive, store open, until the parent's SIGKILL.
  setInterval(() => undefined, 1 << 30);
}

const [dir, bytes, collection] = process.argv.slice(2);
if (dir === undefined || bytes === undefined || collection === undefined) {
  process.stderr.write('usage: wal-writer.ts <dir> <walBytes> <collection>\n');
  process.exitCode = 2;
} else {
  main(dir, Number(bytes), collection).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
