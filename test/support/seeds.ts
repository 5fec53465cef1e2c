/** The five real TiDB issues in /work/shared/seeds: `ID:`, `Title:`, `Description:` then the body. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SEEDS_DIR = process.env.RACE_TRIAGE_SEEDS ?? '/work/shared/seeds';

export interface Seed {
  file: string;
  number: number;
  title: string;
  body: string;
}

export function loadSeeds(): Seed[] {
  return readdirSync(SEEDS_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(SEEDS_DIR, file), 'utf8');
      const id = /^ID:\s*(\d+)/m.exec(text);
      const title = /^Title:\s*(.*)$/m.exec(text);
      const description = text.indexOf('Description:');
      if (!id || !title || description < 0) throw new Error(`${file}: not a seed file`);
      return { file, number: Number(id[1]), title: title[1]!.trim(), body: text.slice(description + 'Description:'.length).replace(/^\r?\n/, '') };
    });
}
