/** Loads the siftsmall (ANN_SIFT10K) files in the TEXMEX .fvecs / .ivecs format. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The data set: base vectors (id = index), queries, and the exact 100 nearest ids per query. */
export interface SiftSmall {
  readonly base: Float32Array[];
  readonly queries: Float32Array[];
  readonly groundTruth: Int32Array[];
}

/** Where to look when no `--dataset` is given: the shared folder beside the project. */
export const DEFAULT_DATASET_DIR = resolve(process.cwd(), '../shared/datasets/siftsmall');

/** Reads the three files from `dir`; throws a message that says what to do when they are missing. */
export function loadSiftSmall(dir: string = DEFAULT_DATASET_DIR): SiftSmall {
  const file = (name: string): string => join(dir, name);
  for (const name of [
    'siftsmall_base.fvecs',
    'siftsmall_query.fvecs',
    'siftsmall_groundtruth.ivecs',
  ]) {
    if (!existsSync(file(name))) {
      throw new Error(
        `siftsmall file ${file(name)} not found; pass --dataset DIR (a folder holding siftsmall_base.fvecs, siftsmall_query.fvecs and siftsmall_groundtruth.ivecs) or set VECMESH_DATASET`,
      );
    }
  }
  return {
    base: readVecs(file('siftsmall_base.fvecs'), 'f'),
    queries: readVecs(file('siftsmall_query.fvecs'), 'f'),
    groundTruth: readVecs(file('siftsmall_groundtruth.ivecs'), 'i'),
  };
}

function readVecs(path: string, kind: 'f'): Float32Array[];
function readVecs(path: string, kind: 'i'): Int32Array[];
function readVecs(path: string, kind: 'f' | 'i'): (Float32Array | Int32Array)[] {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: (Float32Array | Int32Array)[] = [];
  let offset = 0;
  while (offset < buf.byteLength) {
    const d = view.getInt32(offset, true);
    offset += 4;
    const v = kind === 'f' ? new Float32Array(d) : new Int32Array(d);
    for (let i = 0; i < d; i++) {
      v[i] =
        kind === 'f' ? view.getFloat32(offset + i * 4, true) : view.getInt32(offset + i * 4, true);
    }
    offset += d * 4;
    out.push(v);
  }
  return out;
}
