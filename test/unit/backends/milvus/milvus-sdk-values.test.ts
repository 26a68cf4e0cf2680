/**
 * The adapter writes SDK values without importing the SDK at run time (it is an optional peer):
 * field types by name, consistency levels through the loaded module. These tests hold them to
 * the installed `@zilliz/milvus2-sdk-node`, so that an SDK upgrade that renames or renumbers one
 * fails here rather than on a server.
 */
import {
  ConsistencyLevelEnum,
  DataType,
  DataTypeMap,
  type FieldType,
} from '@zilliz/milvus2-sdk-node';
import { describe, expect, it } from 'vitest';
import { MILVUS_CONSISTENCY_LEVELS } from '../../../../src/backends/milvus/index.js';
import {
  MILVUS_FIELDS,
  collectionFields,
  type MilvusFieldSpec,
} from '../../../../src/backends/milvus/milvus-schema.js';

describe('Milvus SDK values the adapter writes', () => {
  it('field types are names the SDK maps to the intended DataType', () => {
    const fields = collectionFields(7);
    const types = Object.fromEntries(fields.map((f) => [f.name, DataTypeMap[f.data_type]]));
    expect(types).toEqual({
      [MILVUS_FIELDS.id]: DataType.VarChar,
      [MILVUS_FIELDS.vector]: DataType.FloatVector,
      [MILVUS_FIELDS.payload]: DataType.JSON,
      [MILVUS_FIELDS.tags]: DataType.JSON,
    });
    expect(fields.find((f) => f.name === MILVUS_FIELDS.vector)?.dim).toBe(7);
  });

  it('the adapter field spec is what the SDK takes (checked by the compiler)', () => {
    const spec: MilvusFieldSpec = { name: 'x', data_type: 'JSON' };
    const asSdk: FieldType = spec;
    expect(asSdk.data_type).toBe('JSON');
  });

  it('every consistency level option is an SDK ConsistencyLevelEnum member', () => {
    for (const level of MILVUS_CONSISTENCY_LEVELS) {
      expect(typeof ConsistencyLevelEnum[level], level).toBe('number');
    }
  });
});
