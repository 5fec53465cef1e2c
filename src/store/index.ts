/** The race index: open it, then use the `RaceIndex` contract of `types.ts`. */
export * from './types.js';
export { openIndex, openDatabase, SQLITE_FILE_NAME, type OpenIndexOptions, type IndexDatabase } from './open.js';
export { KyselyRaceIndex } from './race-index.js';
export { OwnershipHistory, HISTORY_LIMIT, type OwnershipEntry, type OwnershipTables } from './ownership-history.js';
export { IndexOpenError, type IndexOpenErrorReason } from './errors.js';
export { resignNotes, type ResignSummary } from './resign.js';
export { migrations, type SchemaMigration, type Backend } from './migrations.js';
export type { IndexTables } from './schema.js';
export { BotStateStore, EMPTY_BOT_STATE, type BotState, type BotStateDatabase } from './bot-state.js';
export type { JobsDatabase, JobsTable, JobState } from './job-tables.js';
export { IssuePairs, type IssuePairsDatabase, type IssueFix, type IssuePair, type PairKind, type PairSource, type RepoRef } from './issue-pairs.js';
export { BotReplies, type BotReply, type BotRepliesDatabase } from './bot-replies.js';
