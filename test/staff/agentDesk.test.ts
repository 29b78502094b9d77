import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Activity, ConversationReference } from 'botbuilder';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { TeamsStaffChannel, type TeamsPoster } from '../../src/channels/teams/TeamsStaffChannel.js';
import { composeSupportDesk, type SupportDesk } from '../../src/composeSupportDesk.js';
import { loadConfig, type Config } from '../../src/config.js';
import { loadCannedReplies } from '../../src/knowledge/cannedReplies.js';
import { cp, writeFile } from 'node:fs/promises';
import { KNOWLEDGE_DIR } from '../helpers/testBot.js';
import { createApp } from '../../src/http/app.js';
import { staffApiPlugin } from '../../src/http/staffApi.js';
import { listen } from '../../src/server.js';
import { PgDatabase } from '../../src/storage/postgres/PgDatabase.js';
import { DocumentStaffTokenStore } from '../../src/storage/DocumentStaffTokenStore.js';
import { LowdbDocumentStore } from '../../src/storage/LowdbDocumentStore.js';
import { documentStores, postgresStores, type SupportStores } from '../../src/storage/SupportStores.js';
import { StaffTokens } from '../../src/domain/staff/StaffTokens.js';
import { staffCli } from '../../src/staffAdmin/staffCli.js';
import { supportJobs } from '../../src/supportJobs.js';
import { MemoryDocumentStore } from '../helpers/MemoryDocumentStore.js';
import { freshSchema, pgUrl, postgresAvailable } from '../helpers/postgres.js';
import { modelsAndKnowledge, relaxedLimits, sampleRegistry, silentLogger } from '../helpers/testBot.js';
import { fakeChannelConnector } from '../helpers/customerOverHttp.js';

/**
 * What agents have in the console (issue 11): canned replies, the display name customers see,
 * presence deciding whether a person is offered, the per-agent chat limit, and the first-response
 * service level — over real HTTP, on the in-memory document store and on PostgreSQL (two
 * instances on one database where it matters).
 */

const pgAvailable = await postgresAvailable('agent desk (presence, chat limit, service level) on PostgreSQL');

/** A clock the test moves: `now()` for the desk, `advance(minutes)` for the test. */
function movableClock(start = '2026-03-02T10:00:00.000Z') {
  let t = Date.parse(start);
  return { now: () => new Date(t), advance: (minutes: number) => (t += minutes * 60_000) };
}

class RecordingPoster implements TeamsPoster {
  readonly posts: Array<Partial<Activity>> = [];
  async startThread(channel: Partial<ConversationReference>, activity: Partial<Activity>) {
    this.posts.push(activity);
    return { ...channel, conversation: { ...channel.conversation!, id: `${channel.conversation!.id};messageid=${this.posts.length}` } };
  }
  async reply(): Promise<void> {}
}
const STAFF_CHANNEL = { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:staff@thread.tacv2' } };

interface Instance {
  url: string;
  desk: SupportDesk;
  stores: SupportStores;
  teams: TeamsStaffChannel;
  poster: RecordingPoster;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** One instance as main.ts wires it (desk, staff API, /api/messages, Teams staff channel) on `stores`. */
async function instance(stores: SupportStores, now: () => Date, agents: Partial<Config['agents']> = {}): Promise<Instance> {
  const desk = composeSupportDesk({
    stores,
    ...(await modelsAndKnowledge()),
    registry: await sampleRegistry(),
    botAuth: { MicrosoftAppType: 'MultiTenant' },
    handoff: { staffedHours: '24x7', timeZone: 'UTC', averageMinutes: 6 },
    agents: { maxActiveChats: 3, presencePolicy: 'auto', presenceTimeoutMs: 2 * 60_000, ...agents },
    logger: silentLogger,
    now,
  });
  // A Teams staff channel with a recording poster, sharing the store's claims as in production.
  const poster = new RecordingPoster();
  const teams = new TeamsStaffChannel(desk.handoffs, poster, STAFF_CHANNEL, desk.stateStorage, () => undefined, stores.documents, desk.serviceLevel);
  teams.start();
  const app = createApp({ logger: silentLogger, readiness: { checks: async () => ({}) }, limits: relaxedLimits(), plugins: [desk.botFramework, staffApiPlugin({ ...desk.staffApi, heartbeatMs: 200 })] });
  const url = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  closers.push(async () => {
    teams.stop();
    await teams.idle();
    await new Promise<void>((r) => app.close(() => r()));
    await desk.deliveries.drain(1_000);
  });
  return { url, desk, stores, teams, poster };
}

async function pgStores(schema: string): Promise<SupportStores> {
  const stores = await postgresStores(await PgDatabase.open(pgUrl, { schema }));
  closers.push(() => stores.close());
  return stores;
}

function memoryStores(): SupportStores {
  return documentStores(new MemoryDocumentStore());
}

async function call(base: string, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

let turn = 0;
/** One customer message over /api/messages; the bot's texts come back (expectReplies). */
async function customerSays(base: string, connector: string, conversation: string, text: string, channelId = 'webchat'): Promise<string> {
  turn += 1;
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', id: `m${turn}`, text, from: { id: `u-${conversation}`, name: 'Customer' }, recipient: { id: 'bot' }, conversation: { id: conversation }, channelId, serviceUrl: connector, deliveryMode: 'expectReplies' }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities?: Array<{ type: string; text?: string }> };
  return (body.activities ?? []).filter((a) => a.type === 'message').map((a) => a.text ?? '').join('\n');
}

/** A customer waiting for a person (straight through the service: what the bot does on "talk to a person"). */
async function waitingHandoff(desk: SupportDesk, conversation: string): Promise<string> {
  const result = await desk.handoffs.request({
    reason: 'asked',
    customer: { channelId: 'webchat', userId: `u-${conversation}` },
    conversationKey: `webchat/${conversation}`,
    address: { channelId: 'webchat', serviceUrl: 'http://localhost:9', conversation: { id: conversation }, bot: { id: 'bot' }, user: { id: `u-${conversation}` } },
    transcript: [],
  });
  if (result.kind !== 'queued') throw new Error(`expected a queued handoff, got ${result.kind}`);
  return result.handoff.id;
}

// ---------------------------------------------------------------------------------------------

test('configuration: AGENT_MAX_ACTIVE_CHATS, PRESENCE_REQUIRED, PRESENCE_TIMEOUT_MINUTES, SLA_WARN_MINUTES', () => {
  expect(loadConfig({})).toMatchObject({ agents: { maxActiveChats: 3, presencePolicy: 'auto', presenceTimeoutMs: 120_000 }, serviceLevel: { warnBeforeMs: 1_800_000 } });
  expect(loadConfig({ AGENT_MAX_ACTIVE_CHATS: '5', PRESENCE_REQUIRED: 'always', PRESENCE_TIMEOUT_MINUTES: '5', SLA_WARN_MINUTES: '15' })).toMatchObject({
    agents: { maxActiveChats: 5, presencePolicy: 'always', presenceTimeoutMs: 300_000 },
    serviceLevel: { warnBeforeMs: 900_000 },
  });
  expect(() => loadConfig({ AGENT_MAX_ACTIVE_CHATS: '0' })).toThrow(/AGENT_MAX_ACTIVE_CHATS/);
  expect(() => loadConfig({ PRESENCE_REQUIRED: 'sometimes' })).toThrow(/PRESENCE_REQUIRED/);
  expect(() => loadConfig({ SLA_WARN_MINUTES: '120' })).toThrow(/SLA_WARN_MINUTES: must be under the 2-hour first-response time/);
});

describe('canned replies', () => {
  test('served to staff from knowledge/console/canned-replies.json; 401 without a token', async () => {
    const a = await instance(memoryStores(), () => new Date());
    const token = await a.desk.staffTokens.create('dana');
    expect((await call(a.url, null, 'GET', '/api/canned-replies')).status).toBe(401);
    expect((await call(a.url, 'cst_wrong', 'GET', '/api/canned-replies')).status).toBe(401);
    const ok = await call(a.url, token, 'GET', '/api/canned-replies');
    expect(ok.status).toBe(200);
    const { knowledge } = await modelsAndKnowledge();
    expect(ok.body.items).toEqual(knowledge.cannedReplies);
    expect(ok.body.items.map((r: { id: string }) => r.id)).toContain('ask-serial');
  });

  test('the file is checked at load: a bad entry or a duplicate id names the file; a new entry needs no code', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'canned-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    await cp(path.join(KNOWLEDGE_DIR, 'console'), path.join(dir, 'console'), { recursive: true });
    const file = path.join(dir, 'console', 'canned-replies.json');
    const reply = { id: 'reboot', title: 'Reboot', text: 'Please restart the recorder.' };
    await writeFile(file, JSON.stringify({ replies: [reply] }));
    expect(await loadCannedReplies(dir)).toEqual([reply]);
    await writeFile(file, JSON.stringify({ replies: [reply, reply] }));
    await expect(loadCannedReplies(dir)).rejects.toThrow(/canned-replies\.json: duplicate canned reply id "reboot"/);
    await writeFile(file, JSON.stringify({ replies: [{ ...reply, text: '' }] }));
    await expect(loadCannedReplies(dir)).rejects.toThrow(/canned-replies\.json: replies\.0\.text/);
  });
});

describe('display name', () => {
  test('the staff CLI sets it at creation (--display-name) and later (set-display-name); list-tokens shows it; a bad one is a usage error', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'staff-display-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, STORE: 'lowdb', DATABASE_URL: '' };
    const cli = async (...argv: string[]) => {
      const out = { stdout: '', stderr: '' };
      const code = await staffCli(argv, env, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t) });
      return { code, ...out };
    };
    const created = await cli('create-token', '--name', 'dana', '--display-name', 'Dana Lee');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const second = await cli('create-token', '--name', 'dana');
    const verify = async (token: string) => {
      const store = await LowdbDocumentStore.open(dataDir);
      try {
        return await new StaffTokens(new DocumentStaffTokenStore(store)).verify(token);
      } finally {
        await store.close();
      }
    };
    expect(await verify(created.stdout.trim())).toEqual({ name: 'dana', displayName: 'Dana Lee' });
    // A second token of the same person keeps the name customers know.
    expect(await verify(second.stdout.trim())).toEqual({ name: 'dana', displayName: 'Dana Lee' });

    expect(await cli('set-display-name', '--name', 'dana', '--display-name', 'Dana L.')).toEqual({ code: 0, stderr: '', stdout: '{"name":"dana","displayName":"Dana L.","tokens":2}\n' });
    expect(await verify(created.stdout.trim())).toEqual({ name: 'dana', displayName: 'Dana L.' });
    expect((await cli('list-tokens')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { displayName?: string }).map((t) => t.displayName)).toEqual(['Dana L.', 'Dana L.']);

    expect(await cli('set-display-name', '--name', 'nobody', '--display-name', 'X')).toMatchObject({ code: 1, stderr: 'staff set-display-name: no live token named "nobody"\n' });
    const bad = await cli('set-display-name', '--name', 'dana', '--display-name', '<b>Dana</b>');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/display-name: must be plain text/);
  });

  test('customers see the display name, not the token name: in the widget (from.name), and as a prefix where the channel shows only the bot', async () => {
    const connector = await fakeChannelConnector();
    closers.push(connector.close);
    const a = await instance(memoryStores(), () => new Date());
    const token = await a.desk.staffTokens.create('dana', 'Dana Lee');
    expect((await call(a.url, token, 'GET', '/api/me')).body).toEqual({ name: 'dana', displayName: 'Dana Lee' });

    for (const channelId of ['webchat', 'slack']) {
      const conversation = `dn-${channelId}`;
      expect(await customerSays(a.url, connector.url, conversation, 'talk to a person', channelId)).toMatch(/number 1 in the queue/);
      const id = (await call(a.url, token, 'GET', '/api/handoffs?status=waiting')).body.items[0].id as string;
      expect((await call(a.url, token, 'POST', `/api/handoffs/${id}/accept`, {})).status).toBe(200);
      expect((await call(a.url, token, 'POST', `/api/handoffs/${id}/messages`, { text: 'Please reseat the disk.' })).status).toBe(201);
      await expect.poll(() => connector.received.map((r) => r.activity).filter((x) => x.conversation?.id === conversation).length, { timeout: 10_000 }).toBe(2);
      const [joined, line] = connector.received.map((r) => r.activity).filter((x) => x.conversation?.id === conversation);
      expect(joined?.text).toMatch(/^Dana Lee from our support team has joined/);
      expect(line?.from?.name).toBe('Dana Lee');
      if (channelId === 'webchat') {
        expect(line?.text).toBe('Please reseat the disk.');
        expect((line?.channelData as { agent?: { name: string } }).agent).toEqual({ name: 'Dana Lee' });
      } else {
        expect(line?.text).toBe('Dana Lee: Please reseat the disk.');
      }
      expect(JSON.stringify([joined, line])).not.toMatch(/\bdana\b/);
      expect((await call(a.url, token, 'POST', `/api/handoffs/${id}/close`, {})).status).toBe(200);
    }
  });
});

describe.each([
  ['the document store', false],
  ['PostgreSQL', true],
] as const)('on %s', (_name, onPostgres) => {
  const run = onPostgres ? test.skipIf(!pgAvailable) : test;

  run('presence: set in the console, expires without heartbeats, and decides whether the bot offers a person or a ticket', async () => {
    const clock = movableClock();
    const connector = await fakeChannelConnector();
    closers.push(connector.close);
    const a = await instance(onPostgres ? await pgStores(freshSchema()) : memoryStores(), clock.now);
    const token = await a.desk.staffTokens.create('dana');

    // Nobody has ever set a presence: staffed hours alone decide (the default, PRESENCE_REQUIRED=auto).
    expect((await call(a.url, token, 'GET', '/api/presence')).body).toMatchObject({ me: null, agents: [], enforced: false, anyoneAvailable: true });
    expect(await customerSays(a.url, connector.url, 'p-1', 'talk to a person')).toMatch(/number 1 in the queue/);
    await customerSays(a.url, connector.url, 'p-1', 'cancel');

    // The agent goes away: the customer is offered a ticket, and nobody is queued.
    const away = await call(a.url, token, 'PUT', '/api/presence', { status: 'away' });
    expect(away.status).toBe(200);
    expect(away.body).toMatchObject({ me: { agent: 'dana', status: 'away', effective: 'away' }, enforced: true, anyoneAvailable: false });
    const offered = await customerSays(a.url, connector.url, 'p-2', 'talk to a person');
    expect(offered).toMatch(/Nobody from our support team is available/);
    expect(offered).toMatch(/open a ticket/i);
    expect((await call(a.url, token, 'GET', '/api/handoffs?status=waiting')).body.items).toEqual([]);
    // Declined: in staffed hours "ask again during staffed hours" would mean now; the bot says "a little later".
    const declined = await customerSays(a.url, connector.url, 'p-2', 'nah, not now');
    expect(declined).toMatch(/ask for a person again a little later/);
    expect(declined).not.toMatch(/during staffed hours/);

    // Available again: a person is offered.
    expect((await call(a.url, token, 'PUT', '/api/presence', { status: 'available' })).body).toMatchObject({ anyoneAvailable: true, me: { effective: 'available' } });
    expect(await customerSays(a.url, connector.url, 'p-3', 'talk to a person')).toMatch(/number 1 in the queue/);

    // The console closes: no heartbeat for longer than the timeout (2 minutes) counts as away.
    clock.advance(1.5);
    expect((await call(a.url, token, 'GET', '/api/presence')).body).toMatchObject({ me: { status: 'available', effective: 'available' }, anyoneAvailable: true });
    clock.advance(1);
    expect((await call(a.url, token, 'GET', '/api/presence')).body).toMatchObject({ me: { status: 'available', effective: 'away' }, anyoneAvailable: false });
    expect(await customerSays(a.url, connector.url, 'p-4', 'talk to a person')).toMatch(/Nobody from our support team is available/);
    // A heartbeat (the console open again) brings the chosen status back.
    expect((await call(a.url, token, 'POST', '/api/presence/heartbeat', {})).body).toMatchObject({ me: { effective: 'available' }, anyoneAvailable: true });

    expect((await call(a.url, token, 'PUT', '/api/presence', { status: 'busy' })).status).toBe(400);
    expect((await call(a.url, null, 'PUT', '/api/presence', { status: 'away' })).status).toBe(401);
  });

  run('chat limit: accepting beyond AGENT_MAX_ACTIVE_CHATS is a 409 with the reason; closing one makes room', async () => {
    const a = await instance(onPostgres ? await pgStores(freshSchema()) : memoryStores(), () => new Date(), { maxActiveChats: 2 });
    const token = await a.desk.staffTokens.create('dana');
    const other = await a.desk.staffTokens.create('lee');
    const ids = [];
    for (const c of ['l-1', 'l-2', 'l-3']) ids.push(await waitingHandoff(a.desk, c));
    expect((await call(a.url, token, 'POST', `/api/handoffs/${ids[0]}/accept`, {})).status).toBe(200);
    expect((await call(a.url, token, 'POST', `/api/handoffs/${ids[1]}/accept`, {})).status).toBe(200);
    const refused = await call(a.url, token, 'POST', `/api/handoffs/${ids[2]}/accept`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: 'chat_limit', message: 'You already have 2 active chats (the limit is 2); close one before accepting another.' });
    expect((await call(a.url, token, 'GET', `/api/handoffs/${ids[2]}`)).body.status).toBe('waiting');
    // The limit is per agent: another agent may take it…
    expect((await call(a.url, other, 'POST', `/api/handoffs/${ids[2]}/accept`, {})).status).toBe(200);
    // …and once dana closes a chat, dana may accept again.
    const next = await waitingHandoff(a.desk, 'l-4');
    expect((await call(a.url, token, 'POST', `/api/handoffs/${ids[0]}/close`, {})).status).toBe(200);
    expect((await call(a.url, token, 'POST', `/api/handoffs/${next}/accept`, {})).status).toBe(200);
  });

  run('service level: the at-risk warning fires once (two instances), is shown live in the console and posted to Teams once; then breached', async () => {
    const clock = movableClock();
    const schema = freshSchema();
    const shared = onPostgres ? null : memoryStores();
    const a = await instance(shared ?? (await pgStores(schema)), clock.now);
    // A second instance on the same database (on the document store: the same store and bus, as one process's).
    const b = onPostgres ? await instance(await pgStores(schema), clock.now) : null;
    const token = await a.desk.staffTokens.create('dana');
    const ticket = await a.desk.tickets.open({ customer: { channelId: 'webchat', userId: 'u-sla', name: 'Ana' }, summary: 'NVR shows HDD error' }, 'bot');
    expect(ticket.firstResponseDue).toBe('2026-03-02T12:00:00.000Z');

    // The console's live stream, on instance A.
    const events: Array<{ type: string; ticketId?: string }> = [];
    const controller = new AbortController();
    const stream = await fetch(`${a.url}/api/handoffs/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const reading = (async () => {
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (data) events.push(JSON.parse(data) as { type: string });
        }
      }
    })();
    closers.push(async () => {
      controller.abort();
      await reading;
    });
    await expect.poll(() => events.some((e) => e.type === 'snapshot')).toBe(true);

    // 31 minutes before the due time: not yet at risk.
    clock.advance(89);
    const jobsA = supportJobs({ desk: a.desk, stores: a.stores, conversationTtlMs: 1, logger: silentLogger, now: clock.now });
    const jobsB = b ? supportJobs({ desk: b.desk, stores: b.stores, conversationTtlMs: 1, logger: silentLogger, now: clock.now }) : jobsA;
    const warn = (jobs: typeof jobsA) => jobs.jobs.find((j) => j.name === 'first-response-at-risk')!.run();
    await Promise.all([warn(jobsA), warn(jobsB)]);
    expect((await call(a.url, token, 'GET', '/api/service-level')).body).toMatchObject({ atRisk: [], breached: [], warnMinutes: 30 });

    // 29 minutes before: both instances run the job at once; one warning.
    clock.advance(2);
    const warned = await Promise.all([a.desk.serviceLevel.warn(), (b ?? a).desk.serviceLevel.warn()]);
    expect(warned.flat()).toEqual([ticket.id]);
    await Promise.all([warn(jobsA), warn(jobsB)]);
    await expect.poll(() => events.filter((e) => e.type === 'first_response_at_risk').map((e) => e.ticketId), { timeout: 10_000 }).toEqual([ticket.id]);
    const board = (await call(a.url, token, 'GET', '/api/service-level')).body;
    expect(board.atRisk).toEqual([expect.objectContaining({ id: ticket.id, customerName: 'Ana', summary: 'NVR shows HDD error', minutesLeft: 29 })]);
    expect(board.breached).toEqual([]);
    await Promise.all([a.teams.idle(), b?.teams.idle()]);
    const posts = [...a.poster.posts, ...(b?.poster.posts ?? [])].map((p) => p.text);
    expect(posts).toEqual([`⚠️ Ticket ${ticket.id} has had no response from staff and its first response is due at 2026-03-02 12:00 UTC (in about 29 minutes). Please pick it up in the agent console.`]);

    // Past the due time: the due-time check marks it breached; the console and Teams hear it once.
    clock.advance(31);
    await Promise.all([jobsA.firstResponse.check(), (b ? jobsB : jobsA).firstResponse.check()]);
    await expect.poll(() => events.filter((e) => e.type === 'first_response_breached').length, { timeout: 10_000 }).toBe(1);
    const after = (await call(a.url, token, 'GET', '/api/service-level')).body;
    expect(after.atRisk).toEqual([]);
    expect(after.breached).toEqual([expect.objectContaining({ id: ticket.id, minutesLeft: -2 })]);
    await Promise.all([a.teams.idle(), b?.teams.idle()]);
    expect([...a.poster.posts, ...(b?.poster.posts ?? [])].map((p) => p.text)).toHaveLength(2);

    // A public reply takes it off the list.
    expect((await call(a.url, token, 'POST', `/api/tickets/${ticket.id}/comments`, { text: 'We are on it.', public: true })).status).toBe(201);
    expect((await call(a.url, token, 'GET', '/api/service-level')).body.breached).toEqual([]);
    expect((await call(a.url, null, 'GET', '/api/service-level')).status).toBe(401);
  });
});

describe.skipIf(!pgAvailable)('chat limit on PostgreSQL, two instances', () => {
  test('two accepts by one agent at its limit, on two instances at once: one wins, the other is a 409', async () => {
    const schema = freshSchema();
    const a = await instance(await pgStores(schema), () => new Date(), { maxActiveChats: 1 });
    const b = await instance(await pgStores(schema), () => new Date(), { maxActiveChats: 1 });
    const token = await a.desk.staffTokens.create('dana');
    for (let round = 0; round < 5; round += 1) {
      const first = await waitingHandoff(a.desk, `race-${round}-a`);
      const second = await waitingHandoff(b.desk, `race-${round}-b`);
      const results = await Promise.all([call(a.url, token, 'POST', `/api/handoffs/${first}/accept`, {}), call(b.url, token, 'POST', `/api/handoffs/${second}/accept`, {})]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)?.body.error).toBe('chat_limit');
      const active = (await call(a.url, token, 'GET', '/api/handoffs?status=active')).body.items as Array<{ id: string }>;
      expect(active).toHaveLength(1);
      // Close the winner for the next round.
      expect((await call(b.url, token, 'POST', `/api/handoffs/${active[0]!.id}/close`, {})).status).toBe(200);
      const loser = active[0]!.id === first ? second : first;
      expect((await call(a.url, token, 'POST', `/api/handoffs/${loser}/close`, {})).status).toBe(200);
    }
  });
});
