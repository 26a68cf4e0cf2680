/**
 * The import direction of src/ is enforced by lint: the repository's eslint.config.js reports a
 * relative import into a later layer (LAYERS there; backends may not import resilience either)
 * as a `no-restricted-imports` error naming the importing layer, and lets imports into earlier
 * layers through. The source text is linted as if it were at a path inside src/; nothing is
 * written to disk.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

let eslint: ESLint;

beforeAll(() => {
  // The text is at a path that does not exist, which the type-aware parser (projectService)
  // refuses; no-restricted-imports needs no types, so type-aware linting is turned off.
  eslint = new ESLint({ cwd: ROOT, overrideConfig: tseslint.configs.disableTypeChecked });
});

/** Lints one import of `from` placed at `file` (relative to the repository root). */
async function lintImport(file: string, from: string): Promise<Linter.LintMessage[]> {
  const code = `import * as imported from '${from}';\n\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  const messages = result?.messages ?? [];
  // A parsing error would leave the rule unchecked: the cases below would pass for nothing.
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages.filter((m) => m.ruleId === 'no-restricted-imports');
}

describe('import direction in src/ (eslint.config.js)', () => {
  it.each([
    ['src/core/x.ts', '../mesh/mesh.js', 'core'],
    ['src/topology/x.ts', '../backends/backend.js', 'topology'],
    ['src/backends/x.ts', '../resilience/classify.js', 'backends'],
    ['src/replication/x.ts', '../reshard/view.js', 'replication'],
    ['src/reshard/x.ts', '../mesh/context.js', 'reshard'],
  ])('%s may not import %s', async (file, from, layer) => {
    const errors = await lintImport(file, from);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.severity).toBe(2);
    expect(errors[0]!.message).toContain(`src/${layer} may import only from `);
  });

  it.each([
    ['src/mesh/x.ts', '../reshard/view.js'],
    ['src/replication/x.ts', '../core/errors.js'],
  ])('%s may import %s', async (file, from) => {
    expect(await lintImport(file, from)).toEqual([]);
  });
});
