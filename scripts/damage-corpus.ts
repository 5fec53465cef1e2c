/**
 * Writes a copy of a corpus directory (JSON Lines files and a groups.json) in which every
 * later member of a duplicate group is damaged the way pastes are: the report cut a few
 * lines after its first access line, only its first access kept, its header lost, or its
 * lines decorated (timestamps, gutters, fences, syslog, ...). The first member of each group
 * stays whole, so `eval` on the copy measures finding a complete original from a damaged
 * paste.
 *
 *   npx tsx scripts/damage-corpus.ts ../shared/corpus/public/real-dups /tmp/cut cut [seed]
 *   (modes: cut, oneside, headless, decorate)
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../bench/prng.js';
import { decorations } from '../test/race/mutations.js';

const [source, target, mode = 'cut', seed = '1'] = process.argv.slice(2);
const MODES = ['cut', 'oneside', 'headless', 'decorate'];
if (!source || !target || !MODES.includes(mode)) {
  console.error(`usage: damage-corpus.ts SOURCE_DIR TARGET_DIR [${MODES.join('|')}] [seed]`);
  process.exit(2);
}
const random = prng(Number(seed));
// Quoting makes a report a quotation of an earlier sighting, and entities need a <pre>: not damage.
const decorationNames = Object.keys(decorations).filter((d) => !['quote', 'quoteTwice', 'htmlEntities'].includes(d)) as (keyof typeof decorations)[];

const groups = JSON.parse(readFileSync(join(source, 'groups.json'), 'utf8')) as { groups: { repository: string; issues: number[] }[] };
const later = new Set(groups.groups.flatMap((g) => [...g.issues].sort((a, b) => a - b).slice(1).map((n) => `${g.repository.toLowerCase()}#${n}`)));
const ACCESS = /(?:Read|Write) (?:at|of size)|WARNING: DATA RACE/;

function damage(body: string): string {
  const lines = body.split('\n');
  const first = lines.findIndex((l) => ACCESS.test(l));
  if (first < 0) return body;
  switch (mode) {
    case 'cut':
      return lines.slice(0, first + 3 + Math.floor(random() * 8)).join('\n');
    case 'oneside': {
      const previous = lines.findIndex((l, i) => i > first && /^\s*Previous (?:read|write)/.test(l));
      return previous > 0 ? lines.slice(0, previous).join('\n') : body;
    }
    case 'headless':
      return lines.slice(first + 1).join('\n');
    default:
      return decorations[decorationNames[Math.floor(random() * decorationNames.length)]!](body);
  }
}

mkdirSync(target, { recursive: true });
copyFileSync(join(source, 'groups.json'), join(target, 'groups.json'));
let damaged = 0;
for (const file of readdirSync(source).filter((f) => f.endsWith('.jsonl'))) {
  const out = readFileSync(join(source, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const issue = JSON.parse(line) as { number: number; body?: string; repository?: string | { full_name: string }; html_url?: string };
      const repo = (typeof issue.repository === 'string' ? issue.repository : (issue.repository?.full_name ?? /github\.com\/([^/]+\/[^/]+)/.exec(issue.html_url ?? '')?.[1] ?? '')).toLowerCase();
      if (!issue.body || !later.has(`${repo}#${issue.number}`)) return line;
      damaged++;
      return JSON.stringify({ ...issue, body: damage(issue.body) });
    });
  writeFileSync(join(target, file), `${out.join('\n')}\n`);
}
console.error(`damage-corpus: ${mode}: ${damaged} later group members damaged in ${target}`);
