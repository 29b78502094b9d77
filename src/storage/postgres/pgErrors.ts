import pg from 'pg';

/** The unique index or constraint a statement violated (SQLSTATE 23505), or null for any other error. */
export function violatedUnique(err: unknown): string | null {
  return err instanceof pg.DatabaseError && err.code === '23505' ? (err.constraint ?? '') : null;
}
