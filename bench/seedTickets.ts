/**
 * Fills the PostgreSQL `tickets` table with N realistic tickets in one server-side INSERT … SELECT
 * (100,000 in seconds, not one round trip per ticket), numbers 1…N one minute apart, and moves the
 * ticket sequence past them. Every row is a whole ticket the stores read back as they wrote it.
 */
import type pg from 'pg';

export async function seedTickets(pool: pg.Pool, count: number): Promise<void> {
  if (count <= 0) return;
  await pool.query(
    `INSERT INTO tickets (id, number, status, priority, customer_channel, customer_user, assignee, created_at, updated_at, doc)
     SELECT id, n, status, priority, 'webchat', customer, assignee, created, created,
       jsonb_build_object(
         'id', id, 'status', status, 'priority', priority,
         'customer', jsonb_build_object('channelId', 'webchat', 'userId', customer, 'name', 'Customer ' || (n % 5000), 'contact', 'c' || (n % 5000) || '@example.com'),
         'product', jsonb_build_object('serial', 'SN-' || lpad((n % 20000)::text, 6, '0'), 'model', (ARRAY['NVR-8', 'DomeCam 4K', 'BulletCam', 'DVR-16'])[1 + n % 4]),
         'summary', (ARRAY['Camera offline after storm', 'Recorder beeps', 'Night vision blurry', 'No video on channel 3', 'Forgot admin password', 'HDD error on screen'])[1 + n % 6] || ' (' || n || ')',
         'transcript', jsonb_build_array(
           jsonb_build_object('at', at, 'from', 'customer', 'text', 'my camera stopped working'),
           jsonb_build_object('at', at, 'from', 'bot', 'text', 'Is the power light on?'),
           jsonb_build_object('at', at, 'from', 'customer', 'text', 'no, still broken')),
         'firstResponseDue', to_char((created + interval '2 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'createdAt', at, 'updatedAt', at,
         'history', jsonb_build_array(jsonb_build_object('at', at, 'by', 'bot', 'what', 'created')),
         'comments', '[]'::jsonb
       ) || CASE WHEN assignee IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('assignee', assignee) END
     FROM (
       SELECT n, 'T-' || lpad(n::text, 6, '0') AS id,
         -- As a desk's history looks: most tickets closed or resolved, a few still open.
         CASE WHEN n % 100 < 60 THEN 'closed' WHEN n % 100 < 80 THEN 'resolved' WHEN n % 100 < 90 THEN 'open'
           WHEN n % 100 < 97 THEN 'in_progress' ELSE 'waiting_customer' END AS status,
         (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + n % 5] AS priority,
         'user-' || (n % 5000) AS customer,
         (ARRAY[NULL, 'dana', 'lee', 'sam'])[1 + n % 4] AS assignee,
         created, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
       FROM generate_series(1, $1::int) AS n, LATERAL (SELECT timestamptz '2025-01-01T00:00:00Z' + n * interval '1 minute' AS created) c
     ) s`,
    [count],
  );
  await pool.query("SELECT setval('ticket_numbers', (SELECT max(number) FROM tickets))");
  await pool.query('ANALYZE tickets');
}
