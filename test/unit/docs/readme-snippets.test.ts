/**
 * Every TypeScript snippet in the README compiles against the package's own types, as a user
 * who copies it would compile it: each ```ts block is its own module (imports `vecmesh` by
 * name, resolved to the sources through tsconfig.json's paths), typechecked with the project's
 * compiler options. A snippet must define what it uses.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Snippet {
  /** 1-based line of the opening fence in the README. */
  readonly line: number;
  readonly code: string;
}

/** The ```ts blocks of a Markdown file. */
function tsSnippets(markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? '')) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith('```'); i++) body.push(lines[i]!);
    snippets.push({ line: start + 1, code: body.join('\n') });
  }
  return snippets;
}

/** Compiler diagnostics of each snippet, as `README.md:LINE: message` strings. */
function typecheck(file: string, snippets: readonly Snippet[]): string[] {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  // Virtual files inside the project, so that `paths` and the package's `type: module` apply.
  const virtual = new Map(
    snippets.map((s) => [join(ROOT, '.tmp', `readme-snippet-${s.line}.ts`), s] as const),
  );
  const disk = ts.createCompilerHost(parsed.options);
  const host: ts.CompilerHost = {
    ...disk,
    fileExists: (p) => virtual.has(p) || disk.fileExists(p),
    readFile: (p) => {
      const snippet = virtual.get(p);
      return snippet === undefined ? disk.readFile(p) : withModuleMarker(snippet.code);
    },
    getSourceFile: (p, version, onError, create) => {
      const snippet = virtual.get(p);
      if (snippet === undefined) return disk.getSourceFile(p, version, onError, create);
      return ts.createSourceFile(p, withModuleMarker(snippet.code), version, true);
    },
  };
  const program = ts.createProgram({
    rootNames: [...virtual.keys()],
    options: { ...parsed.options, noEmit: true, noUnusedLocals: false },
    host,
  });
  const problems: string[] = [];
  for (const [path, snippet] of virtual) {
    const source = program.getSourceFile(path);
    if (source === undefined) throw new Error(`no source for ${path}`);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    for (const d of diagnostics) {
      const offset =
        d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line + 1;
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      problems.push(`${file}:${snippet.line + offset}: ${message}`);
    }
  }
  return problems;
}

/** Makes a snippet without imports a module too, so snippets never share a global scope. */
function withModuleMarker(code: string): string {
  return /^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {};\n`;
}

describe('README TypeScript snippets', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const snippets = tsSnippets(readme);

  it('finds the snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
  });

  it('every snippet compiles on its own', { timeout: 120_000 }, () => {
    expect(typecheck('README.md', snippets)).toEqual([]);
  });

  it('a snippet that uses what it never defines is reported', { timeout: 120_000 }, () => {
    const bad = "import { createMesh } from 'vecmesh';\ncreateMesh(clusters);";
    // The fence is line 1, so the second line of code is line 3 of the file.
    const problems = typecheck('bad.md', [{ line: 1, code: bad }]);
    expect(problems).toEqual([expect.stringMatching(/^bad\.md:3: Cannot find name 'clusters'/)]);
  });
});
