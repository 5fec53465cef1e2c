/**
 * The architecture's import boundaries, checked on what the compiler sees: every static and
 * dynamic import and every `import()` type of every file, resolved to the folder it lands in.
 * The pure core (src/race, src/triage) and src/eval import nothing from the shell, not even
 * types; the store imports nothing from the GitHub side, the CLI or the dashboard.
 * (eslint.config.js says the same for editors; this catches every spelling of a path.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { REPO_ROOT } from '../cli/run-cli.js';

const SRC = join(REPO_ROOT, 'src');

/** Folders of src/ each folder may not reach. */
const FORBIDDEN: Record<string, string[]> = {
  race: ['triage', 'eval', 'store', 'github', 'cli', 'dashboard'],
  triage: ['eval', 'store', 'github', 'cli', 'dashboard'],
  eval: ['store', 'github', 'cli', 'dashboard'],
  store: ['github', 'cli', 'dashboard'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every module specifier a file names: imports, exports, `import()` calls and types, `require`. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const found = [...info.importedFiles, ...info.referencedFiles].map((ref) => ref.fileName);
  // `import('...')` in a type position is not in preProcessFile's list: find those in the tree.
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) found.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The src/ folder a relative specifier lands in, or undefined for a package. */
function landsIn(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = relative(SRC, resolve(dirname(file), specifier));
  return target.startsWith('..') ? '(outside src)' : target.split(/[\\/]/)[0];
}

describe('import boundaries', () => {
  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`src/${folder} imports nothing from ${forbidden.map((f) => `src/${f}`).join(', ')}`, () => {
      const crossings = filesUnder(join(SRC, folder)).flatMap((file) =>
        specifiers(file)
          .filter((specifier) => {
            const target = landsIn(file, specifier);
            return target !== undefined && (forbidden.includes(target) || target === '(outside src)');
          })
          .map((specifier) => `${relative(REPO_ROOT, file)} -> ${specifier}`),
      );
      expect(crossings).toEqual([]);
    });
  }

  it('finds a crossing in every spelling of a path', () => {
    const file = join(SRC, 'triage', 'example.ts');
    for (const specifier of ['../store/index.js', './../store/index.js', '../race/../github/types.js', '../../src/cli/main.js']) {
      expect(['store', 'github', 'cli']).toContain(landsIn(file, specifier));
    }
    expect(landsIn(file, '../race/index.js')).toBe('race');
    expect(landsIn(file, 'zod')).toBeUndefined();
  });
});
