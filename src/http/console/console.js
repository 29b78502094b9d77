// Agent console: plain ES module, no framework, no build step. Served by the bot at /agent.
// Every piece of data comes from the staff API with the bearer token kept in sessionStorage.
// User text is only ever set with textContent or text nodes (never parsed as HTML), so nothing a customer types can run.

import { $, notify, reportError, StaffSession } from './staffSession.js';

const TICKET_STATUSES = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'];
const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const PAGE_SIZE = 20;
/** History entries the delivery queue adds, in words. @type {Record<string, (h: any) => string>} */
const HISTORY_WORDING = {
  notification_failed: (h) => `customer not notified: ${h.to ?? 'unknown reason'}`,
  notification_delivered: () => 'customer notified again',
};
const REASONS = {
  asked: 'Asked for a person',
  not_helping: 'The bot could not help',
  negative_sentiment: 'Customer upset',
};

const state = {
  /** @type {{ name: string, displayName: string } | null} */ me: null,
  /** @type {any[]} */ waiting: [],
  /** @type {any[]} */ active: [],
  /** @type {string | null} */ handoffId: null,
  /** @type {any} */ handoff: null,
  /** @type {any[]} */ transcript: [],
  /** @type {AbortController | null} */ queueStream: null,
  /** @type {AbortController | null} */ handoffStream: null,
  // Keyset pages: cursors[i] starts page i + 1 (null for the first); the server hands out the next.
  tickets: { page: 1, /** @type {(string | null)[]} */ cursors: [null], /** @type {string | null} */ nextCursor: null, /** @type {any[]} */ items: [], loaded: false },
  /** @type {string | null} */ ticketId: null,
  /** @type {any} */ ticket: null,
  /** Canned replies from GET /api/canned-replies. @type {any[]} */ canned: [],
  /** GET /api/presence: mine, everybody's, and whether customers are offered a person. @type {any} */ presence: null,
  /** GET /api/service-level: tickets due soon and breached. @type {any} */ sla: null,
  /** Heartbeat and service-level refresh timers while signed in. @type {number[]} */ timers: [],
  /** What the server offers besides the queue and tickets (GET /api/console-features). */ features: { presence: false, serviceLevel: false },
};
/** The console tells the server it is still open this often (the server's timeout is a few minutes). */
const HEARTBEAT_EVERY_MS = 30000;
/** The service-level list is re-read this often (time moves tickets into "due soon" without an event). */
const SLA_REFRESH_EVERY_MS = 60000;

// ---------------------------------------------------------------------------------------------
// DOM helpers

/**
 * Creates an element. Strings among the children become text nodes, so data is never parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | boolean | undefined | null>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'className') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** @param {HTMLElement} node @param {boolean} visible */
function show(node, visible) {
  node.hidden = !visible;
}

/** @param {string | undefined | null} iso */
function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** Compact date for table cells ("28 Nov, 06:22"). @param {string | undefined | null} iso */
function shortWhen(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** @param {string | undefined | null} iso */
function ago(iso) {
  if (!iso) return '';
  const minutes = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** @param {any} triage */
function triageText(triage) {
  if (!triage) return 'not triaged';
  // In words, as src/domain/triageInWords.ts says it on the Teams card.
  /** @type {Record<string, string>} */
  const scopes = { in_scope: 'Our product', out_of_scope: "Customer's responsibility", advice_only: 'Advice only (firewall / filter rules)', needs_diagnosis: 'Network symptom: check our device first', off_topic: 'Not a support question' };
  /** @type {Record<string, string>} */
  const clauses = { third_party_equipment: "other manufacturers' equipment", applications: 'applications (email, web hosting, file sharing)', customer_network: "the customer's network", data_backup: 'backups and lost data' };
  /** @type {Record<string, string>} */
  const intents = { troubleshoot: 'troubleshooting', warranty: 'warranty', ticket_status: 'ticket status', human: 'asked for a person', greeting: 'greeting', other: 'other' };
  const scope = scopes[triage.scope] ?? String(triage.scope);
  const what = triage.clause ? `${scope}: ${clauses[triage.clause] ?? triage.clause}` : scope;
  const c = typeof triage.confidence === 'number' ? triage.confidence : null;
  const sure = c === null ? '' : `, ${c >= 0.9 ? 'sure' : c >= 0.7 ? 'fairly sure' : 'unsure'}`;
  const language = triage.language ? ` · language: ${triage.language}` : '';
  return `${what} — ${intents[triage.intent] ?? triage.intent}${sure}${language}`;
}

/** @param {any} warranty */
function warrantyText(warranty) {
  if (!warranty) return 'not checked';
  /** @type {Record<string, string>} */
  const statuses = { covered: 'covered', conditional: 'covered if confirmed', not_covered: 'not covered', expired: 'expired' };
  const until = warranty.coveredUntil ? ` until ${warranty.coveredUntil}` : '';
  const verify = Array.isArray(warranty.toVerify) && warranty.toVerify.length > 0 ? ` · to verify: ${warranty.toVerify.join('; ')}` : '';
  return `${statuses[warranty.status] ?? warranty.status}${until} · ${warranty.model ?? '?'} ${warranty.serial ?? ''}${verify}`.trim();
}

/** @param {any} customer */
function customerName(customer) {
  if (!customer) return 'Unknown customer';
  return customer.name || customer.userId || 'Unknown customer';
}

/** @param {HTMLElement} dl @param {Array<[string, string | Node]>} rows */
function renderFacts(dl, rows) {
  dl.replaceChildren();
  for (const [term, value] of rows) dl.append(el('dt', {}, term), el('dd', {}, value));
}

/** @param {any} line */
const lineKey = (line) => `${line.at}|${line.from}|${line.text}`;

/** @param {HTMLElement} list @param {any[]} lines */
function renderTranscript(list, lines) {
  list.replaceChildren(...lines.map(transcriptItem));
  if (lines.length === 0) list.append(el('li', { className: 'from-bot' }, 'No messages yet.'));
  list.scrollTop = list.scrollHeight;
}

/** @param {any} line */
function transcriptItem(line) {
  const who = line.from === 'agent' ? (line.agent ? `Agent ${line.agent}` : 'Agent') : line.from === 'bot' ? 'Bot' : 'Customer';
  const failed = line.delivery?.state === 'failed';
  return el(
    'li',
    { className: `from-${line.from}${failed ? ' undelivered' : ''}`, 'data-delivery-id': line.delivery?.id },
    el('span', { className: 'who' }, `${who} · ${when(line.at)}`),
    String(line.text ?? ''),
    deliveryMark(line.delivery),
  );
}

/** An agent line's delivery to the customer: "Sending…" until the queue has tried, "Not delivered" with the reason when it gave up. @param {any} delivery */
function deliveryMark(delivery) {
  if (delivery?.state === 'pending') return el('span', { className: 'delivery pending' }, 'Sending…');
  if (delivery?.state === 'failed') return el('span', { className: 'delivery failed' }, `Not delivered: ${delivery.reason ?? 'unknown reason'}`);
  return null;
}

/** The "unreachable" badge of a handoff or ticket whose customer did not get our last message. @param {any} unreachable */
function unreachableBadge(unreachable) {
  if (!unreachable) return null;
  return el('span', { className: 'badge unreachable', title: `Since ${when(unreachable.at)}: ${unreachable.reason ?? ''}` }, 'unreachable');
}

// ---------------------------------------------------------------------------------------------
// API

/**
 * Calls the staff API (JSON). A 401 while signed in signs out (the token was revoked or is wrong).
 * @param {string} method @param {string} path @param {unknown} [body]
 */
const api = (method, path, body) => session.json(method, path, body);

/**
 * Reads a Server-Sent Events stream with fetch (so the token travels in the Authorization header,
 * which EventSource cannot do) and reconnects with back-off until aborted.
 * @param {string} path
 * @param {(type: string, data: any) => void} onEvent
 * @param {(connected: boolean) => void} [onState]
 */
function openStream(path, onEvent, onState = () => {}) {
  const controller = new AbortController();
  const { signal } = controller;
  // The last `id:` the stream sent: a reconnect resumes from it (the server replays what was missed,
  // or sends a fresh snapshot when it no longer keeps those events).
  let lastEventId = '';
  const run = async () => {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        const res = await fetch(path, {
          headers: { Authorization: session.bearer, Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
          cache: 'no-store',
          signal,
        });
        if (res.status === 401) {
          session.refused();
          return;
        }
        if (res.status === 404) return; // the handoff is gone: nothing to listen to
        if (!res.ok || !res.body) throw new Error(`stream ${path}: ${res.status}`);
        onState(true);
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = (buffer + value).replace(/\r\n/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            lastEventId = dispatchBlock(block, onEvent) ?? lastEventId;
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        console.warn('event stream interrupted', err);
      }
      onState(false);
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  void run();
  return controller;
}

/**
 * Hands one event to `onEvent`; returns the block's `id:` if it has one (what a reconnect resumes from).
 * @param {string} block @param {(type: string, data: any) => void} onEvent @returns {string | undefined}
 */
function dispatchBlock(block, onEvent) {
  let type = 'message';
  let id;
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  if (data.length === 0) return id;
  let parsed;
  try {
    parsed = JSON.parse(data.join('\n'));
  } catch {
    return id;
  }
  try {
    onEvent(parsed?.type ?? type, parsed);
  } catch (err) {
    console.error('event handler failed', err);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Sign in / out

async function start() {
  fillSelect(/** @type {HTMLSelectElement} */ ($('filter-status')), TICKET_STATUSES, true);
  fillSelect(/** @type {HTMLSelectElement} */ ($('ticket-status')), TICKET_STATUSES);
  fillSelect(/** @type {HTMLSelectElement} */ ($('ticket-priority')), TICKET_PRIORITIES);
  bindEvents();
  await session.start();
}

/** Verifies the token with GET /api/me and opens the workspace. */
async function enter() {
  const me = await api('GET', '/api/me');
  state.me = { name: String(me?.name ?? 'staff'), displayName: String(me?.displayName ?? me?.name ?? 'staff') };
  $('agent-name').textContent = state.me.displayName === state.me.name ? state.me.name : `${state.me.displayName} (${state.me.name})`;
  show($('whoami'), true);
  show($('signin'), false);
  show($('workspace'), true);
  selectTab('queue');
  state.queueStream = openStream('/api/handoffs/events', onQueueEvent, (connected) => {
    const live = $('live-state');
    live.textContent = connected ? 'live' : 'reconnecting…';
    live.className = connected ? 'live on' : 'live';
    // Anything missed while disconnected is picked up by reloading the queue on (re)connect.
    if (connected) {
      scheduleQueueRefresh();
      refreshServiceLevel().catch(reportError);
    }
  });
  await refreshQueue();
  // Extras of the console, where the server offers them (the queue and tickets work without).
  const features = await api('GET', '/api/console-features').catch(() => null);
  state.features = { presence: Boolean(features?.presence), serviceLevel: Boolean(features?.serviceLevel) };
  show($('presence-control'), state.features.presence);
  show($('sla'), state.features.serviceLevel);
  await Promise.all([loadCannedReplies(), sendHeartbeat(), refreshServiceLevel()].map((p) => p.catch(reportError)));
  state.timers.push(
    window.setInterval(() => sendHeartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS),
    window.setInterval(() => refreshServiceLevel().catch(() => undefined), SLA_REFRESH_EVERY_MS),
  );
}

/**
 * Signing out (the session forgets the token after this): the console's data, streams and timers go.
 * @param {string} [message] the reason when the server refused the token; none when the agent signs out
 */
function leave(message) {
  // Leaving on purpose: away at once (a closed tab counts as away after the server's timeout).
  if (!message && session.token && state.features.presence) {
    fetch('/api/presence', { method: 'PUT', headers: { Authorization: session.bearer, 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'away' }), keepalive: true }).catch(() => undefined);
  }
  for (const timer of state.timers) window.clearInterval(timer);
  state.timers = [];
  closeCanned();
  state.queueStream?.abort();
  state.handoffStream?.abort();
  Object.assign(state, {
    me: null, waiting: [], active: [], handoffId: null, handoff: null, transcript: [],
    queueStream: null, handoffStream: null, ticketId: null, ticket: null,
    tickets: { page: 1, cursors: [null], nextCursor: null, items: [], loaded: false },
    canned: [], presence: null, sla: null, features: { presence: false, serviceLevel: false },
  });
  // Customer data must not stay on screen after signing out.
  for (const id of ['sla-at-risk-list', 'sla-breached-list', 'canned-list', 'waiting-list', 'active-list', 'handoff-transcript', 'handoff-facts', 'handoff-unreachable', 'tickets-body', 'ticket-comments', 'ticket-history', 'ticket-transcript', 'ticket-facts']) {
    $(id).replaceChildren();
  }
  renderHandoffDetail();
  renderTicketDetail();
}

function showSignedOut() {
  state.me = null; // a sign-in that failed half-way leaves no agent behind
  show($('whoami'), false);
  show($('workspace'), false);
  show($('signin'), true);
  $('token').focus();
}

const session = new StaffSession({
  enter,
  signedIn: () => Boolean(state.me),
  leave,
  showSignedOut,
  welcome: () => notify(`Signed in as ${state.me?.name ?? 'staff'}.`, 'ok'),
});

// ---------------------------------------------------------------------------------------------
// Tabs

/** @param {'queue' | 'tickets'} name */
function selectTab(name) {
  for (const tab of ['queue', 'tickets']) {
    const selected = tab === name;
    const button = $(`tab-${tab}`);
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    show($(`panel-${tab}`), selected);
  }
  if (name === 'tickets' && !state.tickets.loaded) loadTickets().catch(reportError);
}

/** @param {KeyboardEvent} event */
function onTabKey(event) {
  if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
  const next = $('tab-queue').getAttribute('aria-selected') === 'true' ? 'tickets' : 'queue';
  selectTab(next);
  $(`tab-${next}`).focus();
}

// ---------------------------------------------------------------------------------------------
// Queue

let queueTimer = 0;
function scheduleQueueRefresh() {
  window.clearTimeout(queueTimer);
  queueTimer = window.setTimeout(() => refreshQueue().catch(reportError), 150);
}

let selectedTimer = 0;
function scheduleSelectedRefresh() {
  window.clearTimeout(selectedTimer);
  selectedTimer = window.setTimeout(() => refreshSelectedHandoff().catch(reportError), 100);
}

async function refreshQueue() {
  if (!state.me) return;
  const [waiting, active] = await Promise.all([api('GET', '/api/handoffs?status=waiting'), api('GET', '/api/handoffs?status=active')]);
  state.waiting = [...(waiting?.items ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || String(a.requestedAt).localeCompare(String(b.requestedAt)));
  state.active = [...(active?.items ?? [])];
  renderQueue();
}

function renderQueue() {
  const render = (/** @type {any[]} */ items, /** @type {string} */ listId, /** @type {string} */ emptyId) => {
    const list = $(listId);
    list.replaceChildren(...items.map(handoffCard));
    show($(emptyId), items.length === 0);
  };
  render(state.waiting, 'waiting-list', 'waiting-empty');
  render(state.active, 'active-list', 'active-empty');
  $('queue-count').textContent = state.waiting.length ? String(state.waiting.length) : '';
}

/** @param {any} h */
function handoffCard(h) {
  const place = h.status === 'waiting' ? (h.position ? `#${h.position} in queue` : 'waiting') : h.agent ? `with ${h.agent}` : h.status;
  const accepted = ago(h.acceptedAt ?? h.requestedAt);
  const since = h.status === 'waiting' ? `waiting ${ago(h.requestedAt)}` : `accepted ${accepted === 'just now' ? accepted : `${accepted} ago`}`;
  const button = el(
    'button',
    { type: 'button', 'aria-current': h.id === state.handoffId ? 'true' : undefined, 'data-handoff-id': h.id },
    el(
      'span',
      { className: 'card-line' },
      el('span', { className: 'card-title' }, customerName(h.customer)),
      el('span', { className: `badge ${h.status}` }, place),
      unreachableBadge(h.unreachable),
      el('span', { className: 'card-meta' }, h.id),
    ),
    h.unreachable ? el('span', { className: 'card-line unreachable-reason' }, `Not delivered: ${h.unreachable.reason ?? ''}`) : null,
    el('span', { className: 'card-line' }, `Reason: ${REASONS[/** @type {keyof typeof REASONS} */ (h.reason)] ?? h.reason}`),
    el('span', { className: 'card-line' }, `Triage: ${triageText(h.triage)}`),
    el('span', { className: 'card-line' }, 'Warranty: ', el('span', { className: `badge ${h.warranty?.status ?? ''}` }, warrantyText(h.warranty))),
    el('span', { className: 'card-line card-meta' }, `${since} · ${h.customer?.channelId ?? ''}`),
  );
  button.addEventListener('click', () => selectHandoff(h.id).catch(reportError));
  return el('li', {}, button);
}

/** @param {string} id */
async function selectHandoff(id) {
  if (state.handoffId !== id) {
    state.handoffStream?.abort();
    state.handoffStream = null;
    state.transcript = [];
  }
  state.handoffId = id;
  renderQueue();
  await refreshSelectedHandoff();
  if (state.handoffId === id && state.handoff && state.handoff.status !== 'closed' && !state.handoffStream) {
    state.handoffStream = openStream(`/api/handoffs/${encodeURIComponent(id)}/events`, (type, data) => onHandoffEvent(id, type, data));
  }
}

async function refreshSelectedHandoff() {
  const id = state.handoffId;
  if (!id || !state.me) return;
  const handoff = await api('GET', `/api/handoffs/${encodeURIComponent(id)}`);
  if (state.handoffId !== id) return; // another one was selected meanwhile
  setSelectedHandoff(handoff);
}

/** @param {any} handoff */
function setSelectedHandoff(handoff) {
  state.handoff = handoff;
  // The server's transcript is authoritative; lines that arrived live and are not in it yet stay.
  const known = new Set((handoff.transcript ?? []).map(lineKey));
  const extra = state.transcript.filter((line) => !known.has(lineKey(line)));
  state.transcript = [...(handoff.transcript ?? []), ...extra].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  if (handoff.status === 'closed') {
    state.handoffStream?.abort();
    state.handoffStream = null;
  }
  renderHandoffDetail();
}

/** @param {any} line */
function appendLiveLine(line) {
  if (!line || state.transcript.some((l) => lineKey(l) === lineKey(line))) return;
  state.transcript.push(line);
  const list = $('handoff-transcript');
  if (state.transcript.length === 1) list.replaceChildren();
  list.append(transcriptItem(line));
  list.scrollTop = list.scrollHeight;
}

/** @param {string} type @param {any} data */
function onQueueEvent(type, data) {
  if (type === 'first_response_at_risk' || type === 'first_response_breached') {
    onServiceLevelEvent(type, data);
    return;
  }
  scheduleQueueRefresh();
  const id = data?.handoffId ?? data?.handoff?.id;
  if (id && id === state.handoffId) onHandoffEvent(id, type, data);
}

/**
 * A delivery outcome, live: the agent line it belongs to gets its mark, and the handoff's
 * unreachable flag follows (set by a failure, cleared by a later delivery).
 * @param {string} type @param {any} data
 */
function applyDelivery(type, data) {
  const failed = type === 'delivery_failed';
  const mark = failed ? { id: data?.deliveryId, state: 'failed', reason: data?.reason } : { id: data?.deliveryId, state: 'delivered' };
  state.transcript = state.transcript.map((line) => (line.delivery?.id && line.delivery.id === data?.deliveryId ? { ...line, delivery: mark } : line));
  if (state.handoff) {
    const { unreachable: _previous, ...rest } = state.handoff;
    state.handoff = failed ? { ...rest, unreachable: { at: data?.at, reason: data?.reason } } : rest;
  }
  renderHandoffDetail();
}

/** @param {string} id @param {string} type @param {any} data */
function onHandoffEvent(id, type, data) {
  if (id !== state.handoffId) return;
  if (type === 'message') appendLiveLine(data?.line);
  else if (type === 'delivery_failed' || type === 'delivered') applyDelivery(type, data);
  // A stream starts with a snapshot of the handoff: whatever happened before it connected.
  else if (type === 'snapshot' && data?.handoff?.id === id) setSelectedHandoff(data.handoff);
  else if (type === 'accepted' || type === 'closed' || type === 'ticket' || type === 'queued') scheduleSelectedRefresh();
}

function renderHandoffDetail() {
  const h = state.handoff;
  show($('handoff-none'), !h);
  show($('handoff-body'), Boolean(h));
  if (!h) return;
  $('handoff-title').textContent = `${customerName(h.customer)} · ${h.id}`;
  const status = $('handoff-status');
  status.textContent = h.status;
  status.className = `badge ${h.status}`;
  const unreachable = $('handoff-unreachable');
  unreachable.replaceChildren();
  if (h.unreachable) unreachable.append(unreachableBadge(h.unreachable) ?? '', ` Messages to this customer are not getting through: ${h.unreachable.reason ?? 'unknown reason'} (since ${when(h.unreachable.at)}).`);
  show(unreachable, Boolean(h.unreachable));
  const listed = state.waiting.find((w) => w.id === h.id);
  const warranty = h.warranty
    ? el('span', {}, el('span', { className: `badge ${h.warranty.status}` }, warrantyText(h.warranty)), h.warranty.reasons?.length ? ` — ${h.warranty.reasons.join('; ')}` : '')
    : 'not checked';
  renderFacts($('handoff-facts'), [
    ['Customer', [h.customer?.name, h.customer?.contact].filter(Boolean).join(' · ') || '—'],
    ['Chat', `${h.customer?.channelId ?? '?'} / ${h.customer?.userId ?? '?'}`],
    ['Reason', REASONS[/** @type {keyof typeof REASONS} */ (h.reason)] ?? String(h.reason)],
    ['Triage', triageText(h.triage)],
    ['Warranty', warranty],
    ['Summary', h.summary || '—'],
    ['Requested', `${when(h.requestedAt)}${h.status === 'waiting' ? ` (waiting ${ago(h.requestedAt)})` : ''}`],
    ...(h.status === 'waiting' && (listed?.position ?? h.position) ? [/** @type {[string, string]} */ (['Position', `#${listed?.position ?? h.position} in queue`])] : []),
    ...(h.agent ? [/** @type {[string, string]} */ (['Agent', `${h.agentDisplayName && h.agentDisplayName !== h.agent ? `${h.agentDisplayName} (${h.agent})` : h.agent}${h.acceptedAt ? ` since ${when(h.acceptedAt)}` : ''}`])] : []),
    ...(h.closedAt ? [/** @type {[string, string]} */ (['Closed', when(h.closedAt)])] : []),
  ]);
  renderTranscript($('handoff-transcript'), state.transcript);
  show($('handoff-accept-row'), h.status === 'waiting');
  show($('chat-form'), h.status === 'active');
  // Close works on a waiting or active handoff; a ticket can be made once, in any status.
  show($('close-form'), h.status !== 'closed');
  show($('handoff-ticket'), !h.ticketId);
  show($('handoff-end'), h.status !== 'closed' || !h.ticketId);
  show($('handoff-ticket-link'), Boolean(h.ticketId));
  $('handoff-open-ticket').textContent = h.ticketId ?? '';
}

/** Disables a button while its action runs, so a double click does not act twice. @param {HTMLButtonElement} button @param {() => Promise<void>} action */
async function busy(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (err) {
    reportError(err);
  } finally {
    button.disabled = false;
  }
}

async function acceptHandoff() {
  const id = state.handoffId;
  if (!id) return;
  await api('POST', `/api/handoffs/${encodeURIComponent(id)}/accept`, {});
  notify(`You accepted ${id}.`, 'ok');
  await refreshSelectedHandoff();
  await refreshQueue();
  if (state.handoffId === id && !state.handoffStream) {
    state.handoffStream = openStream(`/api/handoffs/${encodeURIComponent(id)}/events`, (type, data) => onHandoffEvent(id, type, data));
  }
  $('chat-text').focus();
}

/** @param {SubmitEvent} event */
async function sendMessage(event) {
  event.preventDefault();
  const id = state.handoffId;
  const input = /** @type {HTMLTextAreaElement} */ ($('chat-text'));
  const text = input.value.trim();
  if (!id || !text) return;
  const button = /** @type {HTMLButtonElement} */ (/** @type {HTMLFormElement} */ (event.currentTarget).querySelector('button[type="submit"]'));
  await busy(button, async () => {
    await api('POST', `/api/handoffs/${encodeURIComponent(id)}/messages`, { text });
    input.value = '';
    await refreshSelectedHandoff();
  });
  input.focus();
}

/** When the customer was last shown "typing…" (the server lets one through per handoff every 3 s). */
let typingSentAt = 0;
const TYPING_EVERY_MS = 3000;

/** While the agent writes, the customer sees "typing…" (best effort: a failed signal is not worth a message). */
function signalTyping() {
  const id = state.handoffId;
  const text = /** @type {HTMLTextAreaElement} */ ($('chat-text')).value.trim();
  if (!id || !text || state.handoff?.status !== 'active' || Date.now() - typingSentAt < TYPING_EVERY_MS) return;
  typingSentAt = Date.now();
  api('POST', `/api/handoffs/${encodeURIComponent(id)}/typing`, {}).catch(() => undefined);
}

/** @param {SubmitEvent} event */
async function closeHandoff(event) {
  event.preventDefault();
  const id = state.handoffId;
  if (!id) return;
  const noteInput = /** @type {HTMLInputElement} */ ($('close-note'));
  const note = noteInput.value.trim();
  const button = /** @type {HTMLButtonElement} */ (/** @type {HTMLFormElement} */ (event.currentTarget).querySelector('button[type="submit"]'));
  await busy(button, async () => {
    await api('POST', `/api/handoffs/${encodeURIComponent(id)}/close`, note ? { note } : {});
    noteInput.value = '';
    notify(`Closed ${id}; the customer is back with the bot.`, 'ok');
    await refreshSelectedHandoff();
    await refreshQueue();
  });
}

async function convertToTicket() {
  const id = state.handoffId;
  if (!id) return;
  const result = await api('POST', `/api/handoffs/${encodeURIComponent(id)}/ticket`, {});
  const ticketId = result?.ticket?.id;
  notify(ticketId ? `Ticket ${ticketId} created from ${id}.` : `Ticket created from ${id}.`, 'ok');
  if (result?.handoff && state.handoffId === id) setSelectedHandoff(result.handoff);
  else await refreshSelectedHandoff();
  state.tickets.loaded = false; // the list changed
}

// ---------------------------------------------------------------------------------------------
// Presence: available / away, and the console's heartbeat

/** @param {any} body */
function setPresence(body) {
  state.presence = body;
  renderPresence();
}

async function sendHeartbeat() {
  if (!state.me || !state.features.presence) return;
  setPresence(await api('POST', '/api/presence/heartbeat', {}));
}

/** @param {Event} event */
async function changePresence(event) {
  const select = /** @type {HTMLSelectElement} */ (event.currentTarget);
  const status = select.value;
  select.disabled = true;
  try {
    setPresence(await api('PUT', '/api/presence', { status }));
    notify(status === 'available' ? 'You are available: customers can be offered a person.' : 'You are away.', 'ok');
  } catch (err) {
    reportError(err);
    renderPresence();
  } finally {
    select.disabled = false;
  }
}

function renderPresence() {
  const p = state.presence;
  const mine = p?.me?.status ?? 'away';
  const select = /** @type {HTMLSelectElement} */ ($('presence-status'));
  if (document.activeElement !== select) select.value = mine;
  $('presence-dot').className = `dot ${p?.me?.effective ?? mine}`;
  const available = (p?.agents ?? []).filter((/** @type {any} */ a) => a.effective === 'available').map((/** @type {any} */ a) => a.agent);
  $('presence-summary').textContent = !p
    ? ''
    : available.length
      ? `Available: ${available.join(', ')}`
      : p.enforced
        ? 'Nobody is available: customers are offered a ticket instead of a person.'
        : 'Nobody has set a status yet: customers are offered a person in staffed hours.';
}

// ---------------------------------------------------------------------------------------------
// Service level: tickets due soon and breached

async function refreshServiceLevel() {
  if (!state.me || !state.features.serviceLevel) return;
  state.sla = await api('GET', '/api/service-level');
  renderServiceLevel();
}

/** @param {string} type @param {any} data */
function onServiceLevelEvent(type, data) {
  const id = String(data?.ticketId ?? '');
  if (type === 'first_response_at_risk') {
    notify(`Ticket ${id} is due for a first response at ${shortWhen(data?.due)} and nobody has answered yet.`, 'error');
  } else {
    notify(`Ticket ${id} missed its first-response time (due ${shortWhen(data?.due)}).`, 'error');
  }
  $('sla').classList.add('alert');
  refreshServiceLevel().catch(reportError);
}

function renderServiceLevel() {
  const atRisk = state.sla?.atRisk ?? [];
  const breached = state.sla?.breached ?? [];
  const atRiskBadge = $('sla-at-risk');
  atRiskBadge.textContent = `${atRisk.length} due soon`;
  atRiskBadge.className = `badge at-risk${atRisk.length ? '' : ' none'}`;
  const breachedBadge = $('sla-breached');
  breachedBadge.textContent = `${breached.length} breached`;
  breachedBadge.className = `badge breached${breached.length ? '' : ' none'}`;
  if (!atRisk.length && !breached.length) $('sla').classList.remove('alert');
  const item = (/** @type {any} */ t, /** @type {boolean} */ late) => {
    const open = el('button', { type: 'button', className: 'link', 'aria-label': `Open ticket ${t.id}` }, t.id);
    open.addEventListener('click', () => openTicket(t.id).catch(reportError));
    const minutes = Number(t.minutesLeft);
    const timing = late ? `due ${shortWhen(t.firstResponseDue)} (${Math.abs(minutes)} min ago)` : `due ${shortWhen(t.firstResponseDue)} (in ${minutes} min)`;
    return el('li', { 'data-ticket-id': t.id }, open, ` · ${timing} · ${t.customerName ?? 'customer'} · ${t.summary ?? ''}${t.assignee ? ` · ${t.assignee}` : ''}`);
  };
  $('sla-at-risk-list').replaceChildren(...atRisk.map((/** @type {any} */ t) => item(t, false)));
  if (!atRisk.length) $('sla-at-risk-list').append(el('li', { className: 'empty' }, 'None.'));
  $('sla-breached-list').replaceChildren(...breached.map((/** @type {any} */ t) => item(t, true)));
  if (!breached.length) $('sla-breached-list').append(el('li', { className: 'empty' }, 'None.'));
}

// ---------------------------------------------------------------------------------------------
// Canned replies: a picker under the reply box ("/" in an empty box opens it)

async function loadCannedReplies() {
  const body = await api('GET', '/api/canned-replies');
  state.canned = Array.isArray(body?.items) ? body.items : [];
}

function openCanned() {
  show($('canned-picker'), true);
  $('canned-open').setAttribute('aria-expanded', 'true');
  const filter = /** @type {HTMLInputElement} */ ($('canned-filter'));
  filter.value = '';
  renderCanned();
  filter.focus();
}

function closeCanned() {
  show($('canned-picker'), false);
  $('canned-open').setAttribute('aria-expanded', 'false');
}

function renderCanned() {
  const words = /** @type {HTMLInputElement} */ ($('canned-filter')).value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const matches = state.canned.filter((/** @type {any} */ r) => {
    const haystack = `${r.title} ${r.text} ${(r.tags ?? []).join(' ')}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
  $('canned-list').replaceChildren(
    ...matches.map((/** @type {any} */ r) => {
      const button = el('button', { type: 'button', 'data-canned-id': r.id }, el('strong', {}, r.title), el('span', { className: 'canned-text' }, r.text));
      button.addEventListener('click', () => insertCanned(r));
      return el('li', {}, button);
    }),
  );
  if (!matches.length) $('canned-list').append(el('li', { className: 'empty' }, state.canned.length ? 'No canned reply matches.' : 'No canned replies.'));
}

/** Puts the reply at the cursor, with {agent} and {customer} filled in, for the agent to edit and send. @param {any} reply */
function insertCanned(reply) {
  const input = /** @type {HTMLTextAreaElement} */ ($('chat-text'));
  const text = String(reply.text)
    .replaceAll('{agent}', state.me?.displayName ?? state.me?.name ?? '')
    .replaceAll('{customer}', state.handoff?.customer?.name ?? 'there');
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.value = `${input.value.slice(0, start)}${text}${input.value.slice(end)}`;
  closeCanned();
  input.focus();
  input.setSelectionRange(start + text.length, start + text.length);
}

/** @param {KeyboardEvent} event */
function onCannedKey(event) {
  if (event.key === 'Escape') {
    closeCanned();
    $('chat-text').focus();
  } else if (event.key === 'Enter') {
    // Enter takes the first match, so "/greet⏎" is a two-key habit.
    event.preventDefault();
    const first = /** @type {HTMLButtonElement | null} */ ($('canned-list').querySelector('button[data-canned-id]'));
    first?.click();
  }
}

// ---------------------------------------------------------------------------------------------
// Tickets

/** @param {HTMLSelectElement} select @param {readonly string[]} values @param {boolean} [keepFirst] */
function fillSelect(select, values, keepFirst = false) {
  const first = keepFirst ? [...select.options].slice(0, 1) : [];
  select.replaceChildren(...first, ...values.map((v) => el('option', { value: v }, v.replace(/_/g, ' '))));
}

function ticketQuery() {
  const params = new URLSearchParams();
  const status = /** @type {HTMLSelectElement} */ ($('filter-status')).value;
  const assignee = /** @type {HTMLInputElement} */ ($('filter-assignee')).value.trim();
  const text = /** @type {HTMLInputElement} */ ($('filter-text')).value.trim();
  if (status) params.set('status', status);
  if (assignee) params.set('assignee', assignee);
  if (text) params.set('text', text);
  const cursor = state.tickets.cursors[state.tickets.page - 1];
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(PAGE_SIZE));
  return params.toString();
}

async function loadTickets() {
  const page = await api('GET', `/api/tickets?${ticketQuery()}`);
  Object.assign(state.tickets, {
    items: page?.items ?? [],
    nextCursor: typeof page?.nextCursor === 'string' ? page.nextCursor : null,
    loaded: true,
  });
  renderTickets();
}

function renderTickets() {
  const { items, page, nextCursor } = state.tickets;
  const first = (page - 1) * PAGE_SIZE + 1;
  // No count of all matches (that would read them all): the caption says what this page holds.
  $('tickets-caption').textContent =
    page === 1 && !nextCursor ? (items.length === 1 ? '1 ticket' : `${items.length} tickets`) : `Tickets ${first}–${first + items.length - 1}${nextCursor ? ', more on the next page' : ''}`;
  $('tickets-body').replaceChildren(
    ...items.map((t) => {
      const open = el('button', { type: 'button', className: 'link', 'aria-label': `Open ticket ${t.id}` }, t.id);
      open.addEventListener('click', () => openTicket(t.id).catch(reportError));
      const overdue = ['open'].includes(t.status) && t.firstResponseDue && new Date(t.firstResponseDue).getTime() < Date.now();
      return el(
        'tr',
        { 'aria-current': t.id === state.ticketId ? 'true' : undefined },
        el('td', {}, open),
        el('td', {}, el('span', { className: `badge ${t.status}` }, String(t.status).replace(/_/g, ' '))),
        el('td', {}, el('span', { className: `badge ${t.priority}` }, t.priority)),
        el('td', {}, customerName(t.customer), t.unreachable ? ' ' : '', unreachableBadge(t.unreachable)),
        el('td', { className: 'summary-cell', title: t.summary }, t.summary),
        el('td', {}, t.assignee || '—'),
        el('td', { className: 'nowrap', title: when(t.firstResponseDue) }, `${shortWhen(t.firstResponseDue)}${overdue ? ' (overdue)' : ''}`),
      );
    }),
  );
  if (items.length === 0) $('tickets-body').append(el('tr', {}, el('td', { colspan: '7', className: 'empty' }, 'No tickets match.')));
  $('page-info').textContent = `Page ${page}`;
  /** @type {HTMLButtonElement} */ ($('page-prev')).disabled = page <= 1;
  /** @type {HTMLButtonElement} */ ($('page-next')).disabled = !nextCursor;
}

/** @param {string} id */
async function openTicket(id) {
  selectTab('tickets');
  state.ticketId = id;
  const ticket = await api('GET', `/api/tickets/${encodeURIComponent(id)}`);
  if (state.ticketId !== id) return;
  state.ticket = ticket;
  renderTicketDetail();
  renderTickets();
}

function renderTicketDetail() {
  const t = state.ticket;
  show($('ticket-none'), !t);
  show($('ticket-body'), Boolean(t));
  if (!t) return;
  $('ticket-title').textContent = `${t.id} · ${customerName(t.customer)}`;
  const badge = $('ticket-status-badge');
  badge.textContent = String(t.status).replace(/_/g, ' ');
  badge.className = `badge ${t.status}`;
  $('ticket-summary').textContent = t.summary ?? '';
  const product = t.product ? [t.product.model, t.product.serial, t.product.category].filter(Boolean).join(' · ') : '';
  renderFacts($('ticket-facts'), [
    ['Customer', [t.customer?.name, t.customer?.contact].filter(Boolean).join(' · ') || '—'],
    ['Chat', `${t.customer?.channelId ?? '?'} / ${t.customer?.userId ?? '?'}`],
    ['Product', product || '—'],
    ['Triage', triageText(t.triage)],
    ['Warranty', t.warranty ? `${warrantyText(t.warranty)}${t.warranty.reasons?.length ? ` — ${t.warranty.reasons.join('; ')}` : ''}` : 'not checked'],
    ...(t.unreachable
      ? [/** @type {[string, Node]} */ (['Notifications', el('span', {}, unreachableBadge(t.unreachable) ?? '', ` not delivered: ${t.unreachable.reason ?? 'unknown reason'} (${when(t.unreachable.at)})`)])]
      : []),
    ['First response due', when(t.firstResponseDue)],
    ['Created', when(t.createdAt)],
    ['Updated', when(t.updatedAt)],
  ]);
  /** @type {HTMLSelectElement} */ ($('ticket-status')).value = t.status;
  /** @type {HTMLSelectElement} */ ($('ticket-priority')).value = t.priority;
  /** @type {HTMLInputElement} */ ($('ticket-assignee')).value = t.assignee ?? '';

  $('ticket-comments').replaceChildren(
    ...(t.comments ?? []).map((/** @type {any} */ c) =>
      el('li', { className: c.public ? 'public' : 'internal' }, el('span', { className: 'meta' }, `${when(c.at)} · ${c.by} · ${c.public ? 'public' : 'internal'}`), String(c.text ?? '')),
    ),
  );
  if (!t.comments?.length) $('ticket-comments').append(el('li', {}, 'No comments yet.'));
  $('ticket-history').replaceChildren(
    ...[...(t.history ?? [])].reverse().map((/** @type {any} */ h) => {
      const change = h.from !== undefined || h.to !== undefined ? `: ${h.from ?? '—'} → ${h.to ?? '—'}` : '';
      const what = HISTORY_WORDING[h.what]?.(h) ?? `${h.what}${change}`;
      return el('li', { className: h.what === 'notification_failed' ? 'undelivered' : undefined }, el('span', { className: 'meta' }, `${when(h.at)} · ${h.by}`), what);
    }),
  );
  renderTranscript($('ticket-transcript'), t.transcript ?? []);
}

/** @param {SubmitEvent} event */
async function saveTicket(event) {
  event.preventDefault();
  const t = state.ticket;
  if (!t) return;
  const status = /** @type {HTMLSelectElement} */ ($('ticket-status')).value;
  const priority = /** @type {HTMLSelectElement} */ ($('ticket-priority')).value;
  const assignee = /** @type {HTMLInputElement} */ ($('ticket-assignee')).value.trim();
  /** @type {Record<string, string | null>} */
  const patch = {};
  if (status !== t.status) patch.status = status;
  if (priority !== t.priority) patch.priority = priority;
  if (assignee !== (t.assignee ?? '')) patch.assignee = assignee || null;
  if (Object.keys(patch).length === 0) {
    notify('Nothing to save.');
    return;
  }
  const button = /** @type {HTMLButtonElement} */ (/** @type {HTMLFormElement} */ (event.currentTarget).querySelector('button[type="submit"]'));
  await busy(button, async () => {
    await api('PATCH', `/api/tickets/${encodeURIComponent(t.id)}`, patch);
    notify(`Saved ${t.id}.`, 'ok');
    await openTicket(t.id);
    await loadTickets();
  });
}

/** @param {SubmitEvent} event */
async function addComment(event) {
  event.preventDefault();
  const t = state.ticket;
  if (!t) return;
  const input = /** @type {HTMLTextAreaElement} */ ($('comment-text'));
  const text = input.value.trim();
  if (!text) return;
  const visibility = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name="visibility"]:checked'))?.value;
  const isPublic = visibility === 'public';
  const button = /** @type {HTMLButtonElement} */ (/** @type {HTMLFormElement} */ (event.currentTarget).querySelector('button[type="submit"]'));
  await busy(button, async () => {
    await api('POST', `/api/tickets/${encodeURIComponent(t.id)}/comments`, { text, public: isPublic });
    input.value = '';
    notify(isPublic ? `Comment sent to the customer of ${t.id}.` : `Internal note added to ${t.id}.`, 'ok');
    await openTicket(t.id);
  });
}

function renderAllDetails() {
  renderHandoffDetail();
  renderTicketDetail();
}

// ---------------------------------------------------------------------------------------------
// Wiring

function bindEvents() {
  $('tab-queue').addEventListener('click', () => selectTab('queue'));
  $('tab-tickets').addEventListener('click', () => selectTab('tickets'));
  $('tab-queue').addEventListener('keydown', onTabKey);
  $('tab-tickets').addEventListener('keydown', onTabKey);
  $('queue-refresh').addEventListener('click', () => refreshQueue().catch(reportError));
  $('handoff-accept').addEventListener('click', (e) => void busy(/** @type {HTMLButtonElement} */ (e.currentTarget), acceptHandoff));
  $('chat-form').addEventListener('submit', (e) => void sendMessage(/** @type {SubmitEvent} */ (e)));
  $('chat-text').addEventListener('input', signalTyping);
  $('chat-text').addEventListener('keydown', (e) => {
    // "/" in an empty box opens the canned replies instead of typing a slash.
    if (e.key === '/' && /** @type {HTMLTextAreaElement} */ ($('chat-text')).value === '') {
      e.preventDefault();
      openCanned();
      return;
    }
    // Enter sends, Shift+Enter starts a new line.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      /** @type {HTMLFormElement} */ ($('chat-form')).requestSubmit();
    }
  });
  $('canned-open').addEventListener('click', () => ($('canned-picker').hidden ? openCanned() : closeCanned()));
  $('canned-filter').addEventListener('input', renderCanned);
  $('canned-filter').addEventListener('keydown', onCannedKey);
  $('presence-status').addEventListener('change', (e) => void changePresence(e));
  $('close-form').addEventListener('submit', (e) => void closeHandoff(/** @type {SubmitEvent} */ (e)));
  $('handoff-ticket').addEventListener('click', (e) => void busy(/** @type {HTMLButtonElement} */ (e.currentTarget), convertToTicket));
  $('handoff-open-ticket').addEventListener('click', () => {
    const id = state.handoff?.ticketId;
    if (id) openTicket(id).catch(reportError);
  });
  $('ticket-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(state.tickets, { page: 1, cursors: [null] });
    loadTickets().catch(reportError);
  });
  $('page-prev').addEventListener('click', () => {
    state.tickets.page = Math.max(1, state.tickets.page - 1);
    loadTickets().catch(reportError);
  });
  $('page-next').addEventListener('click', () => {
    const { page, cursors, nextCursor } = state.tickets;
    if (!nextCursor) return;
    cursors[page] = nextCursor;
    state.tickets.page = page + 1;
    loadTickets().catch(reportError);
  });
  $('ticket-form').addEventListener('submit', (e) => void saveTicket(/** @type {SubmitEvent} */ (e)));
  $('comment-form').addEventListener('submit', (e) => void addComment(/** @type {SubmitEvent} */ (e)));
  // Waiting times on the cards and in the detail move on by themselves.
  window.setInterval(() => {
    if (!state.me) return;
    renderQueue();
    if (state.handoff?.status === 'waiting') renderAllDetails();
  }, 30000);
}

void start();
