/** The five real TiDB issues of /work/shared/seeds: `ID:`, `Title:`, then `Description:` and the body. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Seed {
  id: number;
  title: string;
  body: string;
}

const SEEDS = '/work/shared/seeds';

export const seeds: Seed[] = readdirSync(SEEDS)
  .filter((name) => name.endsWith('.txt'))
  .sort()
  .map((name) => {
    const text = readFileSync(join(SEEDS, name), 'utf8');
    const [head = '', body = ''] = text.split(/^Description:\n/m);
    return {
      id: Number(/^ID: (\d+)/m.exec(head)?.[1]),
      title: /^Title: (.*)$/m.exec(head)?.[1] ?? '',
      body,
    };
  });
