/**
 * Signing stored races again when the engine's SIGNATURE_VERSION changed: from the frames each
 * race was stored with and its repository's engine options, so existing groups move to the new
 * fingerprints together instead of being split in silence. Runs at start-up inside the
 * migration lock (migrate.ts), once per version: `index_meta` records the version that signed
 * the index. Races stored without their frames cannot be signed again; they keep their old
 * fingerprint (similarity still finds them) and are counted, so the operator can backfill.
 */
import type { Kysely } from 'kysely';
import { SIGNATURE_VERSION, signStored, type EngineOptions, type RaceSignature, type StoredReport } from '../race/index.js';
import { chunks, keyRows } from './race-index.js';
import type { IndexTables } from './schema.js';

const VERSION_KEY = 'signature_version';
/** Races read and written per step: bounded memory on an index of any size. */
const BATCH = 1000;

export interface ResignSummary {
  /** Races signed again from their stored frames. */
  resigned: number;
  /** Repositories with races stored without frames, which keep their old fingerprints until a backfill. */
  unsignable: { installationId: number; repo: string; races: number }[];
}

export async function resignStaleRaces(db: Kysely<IndexTables>): Promise<ResignSummary> {
  const summary: ResignSummary = { resigned: 0, unsignable: [] };
  const signedBy = await db.selectFrom('index_meta').select('value').where('name', '=', VERSION_KEY).executeTakeFirst();
  if (signedBy?.value === SIGNATURE_VERSION) return summary;

  const engines = new Map<number, EngineOptions>();
  const unsignable = new Map<number, number>();
  for (let after = 0; ; ) {
    const rows = await db
      .selectFrom('races')
      .innerJoin('repos', 'repos.id', 'races.repo_id')
      .select(['races.id', 'races.issue_id', 'races.repo_id', 'races.fingerprint', 'races.report', 'repos.engine_options'])
      .where('races.id', '>', after)
      .where('races.fingerprint', 'not like', `${SIGNATURE_VERSION}:%`)
      .where('races.fingerprint', 'not like', `${SIGNATURE_VERSION}p:%`)
      .orderBy('races.id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.id);
    const touched = new Map<number, number>();
    for (const row of rows) {
      const repoId = Number(row.repo_id);
      if (row.report === null) {
        unsignable.set(repoId, (unsignable.get(repoId) ?? 0) + 1);
        continue;
      }
      if (!engines.has(repoId)) engines.set(repoId, row.engine_options ? (JSON.parse(row.engine_options) as EngineOptions) : {});
      const signature = signStored(JSON.parse(row.report) as StoredReport, engines.get(repoId));
      await db
        .updateTable('races')
        .set({ fingerprint: signature.fingerprint, partial: signature.partial ? 1 : 0, signature: JSON.stringify(signature) })
        .where('id', '=', Number(row.id))
        .execute();
      touched.set(Number(row.issue_id), repoId);
      summary.resigned++;
    }
    await rebuildKeys(db, touched);
  }

  if (unsignable.size > 0) {
    const repos = await db.selectFrom('repos').select(['id', 'installation_id', 'name']).where('id', 'in', [...unsignable.keys()]).execute();
    summary.unsignable = repos.map((r) => ({ installationId: Number(r.installation_id), repo: r.name, races: unsignable.get(Number(r.id))! }));
  }
  await db
    .insertInto('index_meta')
    .values({ name: VERSION_KEY, value: SIGNATURE_VERSION })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: SIGNATURE_VERSION }))
    .execute();
  return summary;
}

/** The inverted-index rows of issues whose races were signed again. */
async function rebuildKeys(db: Kysely<IndexTables>, issues: Map<number, number>): Promise<void> {
  if (issues.size === 0) return;
  const ids = [...issues.keys()];
  const races = await db.selectFrom('races').select(['issue_id', 'signature']).where('issue_id', 'in', ids).orderBy('id').execute();
  const byIssue = new Map<number, RaceSignature[]>();
  for (const race of races) byIssue.set(Number(race.issue_id), [...(byIssue.get(Number(race.issue_id)) ?? []), JSON.parse(race.signature) as RaceSignature]);
  await db.deleteFrom('race_keys').where('issue_id', 'in', ids).execute();
  const rows = ids.flatMap((id) => keyRows(issues.get(id)!, id, byIssue.get(id) ?? []));
  for (const chunk of chunks(rows)) await db.insertInto('race_keys').values(chunk).execute();
}

/** What an operator should know after start-up signed races again, one line each. */
export function resignNotes(summary: ResignSummary): string[] {
  const notes = summary.resigned > 0 ? [`signed ${summary.resigned} stored races again with engine ${SIGNATURE_VERSION}`] : [];
  for (const { repo, races } of summary.unsignable) {
    notes.push(`${races} races of ${repo} were stored without their frames and keep their old fingerprints; run \`race-triage backfill ${repo}\` to sign them again`);
  }
  return notes;
}
