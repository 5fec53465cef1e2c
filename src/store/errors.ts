/**
 * Start-up failures of the race index, as one typed error with a message an operator can
 * act on. The message names the SQLite path or the PostgreSQL host:port, never a password.
 */
export type IndexOpenErrorReason =
  | 'corrupt'
  | 'unwritable'
  | 'unreachable'
  | 'schema-too-new'
  | 'migration-failed'
  | 'misconfigured';

export class IndexOpenError extends Error {
  override readonly name = 'IndexOpenError';

  constructor(
    readonly reason: IndexOpenErrorReason,
    /** The SQLite file path, or `host:port/database` for PostgreSQL. */
    readonly location: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
