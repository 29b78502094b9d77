import type { Migration } from './index.js';

/**
 * The audit log: append-only (an UPDATE is refused by a trigger; DELETE stays possible for a
 * retention job), numbered by a bigserial in recording order, indexed by time. "The most recent
 * entries" is a backward scan of the primary key. Entries stored as documents by earlier versions
 * move here with their numbers.
 */
export const auditLog: Migration = {
  version: 12,
  name: 'audit_log',
  sql: `
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  detail jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: entry % cannot be changed', OLD.id;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

INSERT INTO audit_log (id, at, actor, action, target, detail)
SELECT (value->>'seq')::bigint, (value->>'at')::timestamptz, value->>'actor', value->>'action', value->>'target', value->'detail'
FROM documents WHERE collection = 'audit';

SELECT setval(pg_get_serial_sequence('audit_log', 'id'), n) FROM (
  SELECT greatest(
    (SELECT max(id) FROM audit_log),
    (SELECT (value->>'value')::bigint FROM documents WHERE collection = 'sequences' AND id = 'audit')
  ) AS n
) last WHERE n > 0;

DELETE FROM documents WHERE collection = 'audit';
`,
};
