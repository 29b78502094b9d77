// Insights page of the agent console: plain ES module, no framework, no build step, no CDN.
// Figures come from GET /api/insights with the staff token the console keeps in sessionStorage;
// charts are SVG drawn here, each with a table alternative. Text is only set with textContent.

import { $, notify, reportError as reportApiError, StaffSession } from './staffSession.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Handoff triggers, in words (src/domain/insights/ConversationOutcomes.ts HandoffTrigger). */
const TRIGGERS = {
  asked: 'Asked for a person',
  not_helping: 'Bot failed twice',
  negative_sentiment: 'Customer upset (sentiment)',
  after_hours: 'After hours (ticket offered)',
};
/** Policy clauses (../shared/scope-taxonomy.md), in words; the id stays visible in the table. */
const CLAUSES = {
  third_party_equipment: "Other makers' equipment",
  applications: 'Applications (email, hosting)',
  customer_network: "Customer's network",
  data_backup: 'Backups and lost data',
};
const WARRANTY = { covered: 'Covered', not_covered: 'Not covered', expired: 'Expired', conditional: 'Conditional' };
/** What a survey followed (src/domain/insights/ConversationOutcomes.ts CsatMoment), in words. */
const SURVEY_AFTER = { guide_fixed: 'after a guide fixed it', handoff_closed: 'after a chat with an agent', ticket_resolved: 'after a resolved ticket' };
/** How many of the latest comments the page shows. */
const COMMENTS_SHOWN = 50;
/** The charts, in page order: each a figure `chart-<key>` drawn by renderCharts. */
const CHARTS = [
  { key: 'handoffs', title: 'Handoffs by trigger' },
  { key: 'csat', title: 'Satisfaction ratings (CSAT)' },
  { key: 'topics', title: 'Top topics' },
  { key: 'clauses', title: 'Out of scope, by policy clause' },
  { key: 'warranty', title: 'Warranty checks' },
];

const state = {
  /** @type {string | null} */ name: null,
  /** Bumped by every load, so an older answer arriving late never overwrites a newer one. */
  loadSeq: 0,
};

const numberFormat = new Intl.NumberFormat();
const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const ratingFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 2 });

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | null>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | null>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  appendAll(node, children);
  return node;
}

/** @param {Element} node @param {Record<string, string | number | boolean | undefined | null>} attrs */
function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : String(value));
  }
}

/** @param {Node} node @param {Array<Node | string | null | undefined | false>} children */
function appendAll(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** @param {unknown} n */
const count = (n) => (typeof n === 'number' && Number.isFinite(n) ? numberFormat.format(n) : '—');

/** @param {unknown} seconds */
function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes} min ${s % 60} s` : `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A date as YYYY-MM-DD in the browser's own calendar (what a date input shows). @param {Date} d */
function isoDay(d) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** @param {string} day YYYY-MM-DD */
function longDay(day) {
  const d = new Date(`${day}T00:00:00`);
  return Number.isNaN(d.getTime()) ? day : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

// ---------------------------------------------------------------------------------------------
// API

// Calls go through the console's session (staffSession.js): a revoked token signs out, with the reason.

/** @param {string} path */
const getJson = (path) => session.json('GET', path);

// ---------------------------------------------------------------------------------------------
// Filters

/** The filters as the API's query string (from, to, and channel when one is chosen). */
function currentQuery() {
  const params = new URLSearchParams();
  params.set('from', /** @type {HTMLInputElement} */ ($('from')).value);
  params.set('to', /** @type {HTMLInputElement} */ ($('to')).value);
  const channel = /** @type {HTMLSelectElement} */ ($('channel')).value;
  if (channel) params.set('channel', channel);
  return params.toString();
}

/** Fills the filters from the page's own query string (a bookmark), else the last 30 days, all channels. */
function initFilters() {
  const params = new URLSearchParams(window.location.search);
  const today = new Date();
  const to = params.get('to') ?? isoDay(today);
  const from = params.get('from') ?? isoDay(new Date(today.getTime() - (DEFAULT_DAYS - 1) * DAY_MS));
  // A malformed day in a bookmark is left to the server to refuse with its reason (shown below).
  /** @type {HTMLInputElement} */ ($('from')).value = ISO_DAY.test(from) ? from : '';
  /** @type {HTMLInputElement} */ ($('to')).value = ISO_DAY.test(to) ? to : '';
  const select = /** @type {HTMLSelectElement} */ ($('channel'));
  const channel = params.get('channel') ?? '';
  if (channel && ![...select.options].some((o) => o.value === channel)) select.append(el('option', { value: channel }, channel));
  select.value = channel;
  return { from, to, channel };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** @param {string} id @param {string} value @param {string} [sub] */
function setTile(id, value, sub = '') {
  const tile = $(id);
  /** @type {HTMLElement} */ (tile.querySelector('.value')).textContent = value;
  /** @type {HTMLElement} */ (tile.querySelector('.sub')).textContent = sub;
}

/** @param {any} data */
function renderTiles(data) {
  const conversations = data.conversations;
  setTile('tile-conversations', count(conversations), 'in the period');
  setTile('tile-resolved', count(data.resolvedByBot), 'confirmed fixed by the customer');
  setTile(
    'tile-containment',
    typeof data.containmentRate === 'number' ? percentFormat.format(data.containmentRate) : '—',
    'solved without a ticket or a person',
  );
  setTile('tile-handoffs', count(data.handoffs?.total), 'to a person, or a ticket after hours');
  setTile('tile-tickets', count(data.tickets?.opened), `${count(data.tickets?.resolved)} resolved`);
  const sla = data.firstResponseSla ?? {};
  setTile('tile-sla', `${count(sla.kept)} of ${count(sla.due)}`, `${count(sla.breached)} breached`);
  $('tile-sla').classList.toggle('bad', typeof sla.breached === 'number' && sla.breached > 0);
  setTile('tile-queue-wait', duration(data.queueWaitMedianSeconds), 'from request to an agent accepting');
  const csat = data.csat ?? {};
  setTile(
    'tile-csat',
    typeof csat.average === 'number' ? `${ratingFormat.format(csat.average)} / 5` : '—',
    `${count(csat.responses)} ${csat.responses === 1 ? 'response' : 'responses'}`,
  );
}

/**
 * A horizontal bar chart in SVG and the same rows as a table (the accessible alternative).
 * @param {string} id the figure's id
 * @param {Array<{ key: string, label: string, value: number }>} rows
 * @param {{ keyHeader?: string, empty?: string }} [options]
 */
function renderBars(id, rows, options = {}) {
  const figure = $(id);
  const plot = /** @type {HTMLElement} */ (figure.querySelector('.plot'));
  const tableAlt = /** @type {HTMLElement} */ (figure.querySelector('.table-alt'));
  const title = /** @type {HTMLElement} */ (figure.querySelector('figcaption')).textContent ?? '';
  const total = rows.reduce((sum, r) => sum + r.value, 0);

  tableAlt.replaceChildren(
    el(
      'table',
      { className: 'data' },
      el('caption', {}, title),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, options.keyHeader ?? 'Item'), el('th', { scope: 'col', className: 'num' }, 'Count'))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, el('th', { scope: 'row' }, r.label), el('td', { className: 'num' }, count(r.value))))),
    ),
  );

  if (rows.length === 0 || total === 0) {
    plot.replaceChildren(el('p', { className: 'empty' }, options.empty ?? 'Nothing in this period.'));
    return;
  }

  const width = 520;
  const labelWidth = 236;
  const LABEL_CHARS = 28;
  const valueWidth = 56;
  const rowHeight = 26;
  const barHeight = 16;
  const max = Math.max(...rows.map((r) => r.value));
  const scale = (width - labelWidth - valueWidth) / max;
  const height = rows.length * rowHeight + 4;
  const summary = `${title}: ${rows.map((r) => `${r.label} ${count(r.value)}`).join(', ')}.`;

  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': summary, className: 'bars', preserveAspectRatio: 'xMinYMin meet' });
  rows.forEach((r, i) => {
    const y = i * rowHeight + 2;
    // What fits the label column at the chart's font; the whole label is in the title and the table.
    const label = r.label.length > LABEL_CHARS ? `${r.label.slice(0, LABEL_CHARS - 1).trimEnd()}…` : r.label;
    const barWidth = Math.max(r.value > 0 ? 2 : 0, r.value * scale);
    chart.appendChild(
      svg(
        'g',
        { className: 'bar-row', 'data-key': r.key },
        svg('title', {}, `${r.label}: ${count(r.value)}`),
        svg('text', { x: labelWidth - 8, y: y + barHeight / 2, className: 'bar-label', 'text-anchor': 'end', 'dominant-baseline': 'central' }, label),
        svg('rect', { x: labelWidth, y, width: barWidth.toFixed(1), height: barHeight, rx: 2, className: 'bar' }),
        svg('text', { x: labelWidth + barWidth + 6, y: y + barHeight / 2, className: 'bar-value', 'dominant-baseline': 'central' }, count(r.value)),
      ),
    );
  });
  plot.replaceChildren(chart);
}

/** @param {Record<string, unknown> | undefined | null} record @param {Record<string, string>} words */
function entries(record, words) {
  return Object.entries(record ?? {})
    .filter(([, v]) => typeof v === 'number')
    .map(([key, value]) => ({ key, label: words[key] ?? key, value: /** @type {number} */ (value) }));
}

/** @param {any} data */
function renderCharts(data) {
  // Known triggers always appear (a zero is an answer too), unknown ones after them.
  const byTrigger = data.handoffs?.byTrigger ?? {};
  const triggerRows = [...new Set([...Object.keys(TRIGGERS), ...Object.keys(byTrigger)])].map((key) => ({
    key,
    label: TRIGGERS[/** @type {keyof typeof TRIGGERS} */ (key)] ?? key,
    value: typeof byTrigger[key] === 'number' ? byTrigger[key] : 0,
  }));
  renderBars('chart-handoffs', triggerRows, { keyHeader: 'Trigger', empty: 'No handoffs in this period.' });

  const distribution = data.csat?.distribution ?? {};
  const csatRows = [5, 4, 3, 2, 1].map((rating) => ({
    key: String(rating),
    label: `${rating} ${'★'.repeat(rating)}`,
    value: typeof distribution[rating] === 'number' ? distribution[rating] : 0,
  }));
  renderBars('chart-csat', csatRows, { keyHeader: 'Rating', empty: 'No ratings in this period.' });

  const topics = Array.isArray(data.topTopics) ? data.topTopics : [];
  renderBars(
    'chart-topics',
    topics.filter((t) => t && typeof t.count === 'number').map((t) => ({ key: String(t.topic), label: typeof t.title === 'string' ? t.title : String(t.topic), value: t.count })),
    { keyHeader: 'Topic', empty: 'No triaged conversations in this period.' },
  );

  renderBars(
    'chart-clauses',
    entries(data.outOfScopeByClause, CLAUSES).sort((a, b) => b.value - a.value),
    { keyHeader: 'Clause', empty: 'Nothing turned away in this period.' },
  );

  const warranty = data.warrantyChecks ?? {};
  const warrantyRows = [...new Set(['covered', 'not_covered', 'expired', ...Object.keys(warranty)])].map((key) => ({
    key,
    label: WARRANTY[/** @type {keyof typeof WARRANTY} */ (key)] ?? key,
    value: typeof warranty[key] === 'number' ? warranty[key] : 0,
  }));
  renderBars('chart-warranty', warrantyRows, { keyHeader: 'Result', empty: 'No warranty checks in this period.' });
}

// ---------------------------------------------------------------------------------------------
// Survey comments

const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
/** [unit, its length in seconds], largest first: "when" says the largest unit that fits. */
const UNITS = /** @type {const} */ ([['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3_600], ['minute', 60]]);

/** An instant in words relative to now ("3 hours ago", "yesterday"); "just now" under a minute. @param {string} iso */
function whenInWords(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const seconds = (t - Date.now()) / 1000;
  for (const [unit, length] of UNITS) {
    if (Math.abs(seconds) >= length) return relativeFormat.format(Math.round(seconds / length), unit);
  }
  return 'just now';
}

/** A rating as stars with its number ("★★★★☆ 4/5"); screen readers hear "4 out of 5". @param {unknown} rating */
function ratingBadge(rating) {
  const n = typeof rating === 'number' && rating >= 1 && rating <= 5 ? Math.round(rating) : 0;
  return el('span', { className: 'stars', role: 'img', 'aria-label': `${n} out of 5` }, `${'★'.repeat(n)}${'☆'.repeat(5 - n)} ${n}/5`);
}

/**
 * The comments as a list, newest first: rating, when (words; the exact time on hover), channel,
 * what the survey followed and the ticket or handoff id. The customer's words are text nodes only.
 * @param {unknown} data
 */
function renderComments(data) {
  const comments = Array.isArray(/** @type {{comments?: unknown}} */ (data)?.comments) ? /** @type {Array<Record<string, unknown>>} */ (/** @type {{comments: unknown[]}} */ (data).comments) : [];
  $('comment-list').replaceChildren(
    ...comments.map((c) => {
      const at = String(c.answeredAt ?? '');
      const exact = Number.isNaN(Date.parse(at)) ? at : new Date(at).toLocaleString();
      const ref = typeof c.ticketId === 'string' ? `Ticket ${c.ticketId}` : typeof c.handoffId === 'string' ? `Handoff ${c.handoffId}` : null;
      return el(
        'li',
        { className: 'comment' },
        el(
          'div',
          { className: 'comment-meta' },
          ratingBadge(c.rating),
          el('time', { datetime: at, title: exact }, whenInWords(at)),
          el('span', { className: 'channel' }, String(c.channel ?? '')),
          el('span', {}, SURVEY_AFTER[/** @type {keyof typeof SURVEY_AFTER} */ (String(c.after))] ?? String(c.after ?? '')),
          ref && el('span', { className: 'ref' }, ref),
        ),
        el('blockquote', {}, String(c.comment ?? '')),
      );
    }),
  );
  $('comments-empty').hidden = comments.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Loads the figures for the filters and draws them; `data-loaded-query` says which query is on screen. */
async function load() {
  const query = currentQuery();
  const seq = ++state.loadSeq;
  const section = $('insights');
  section.setAttribute('aria-busy', 'true');
  section.dataset.state = 'loading';
  // The page's own address keeps the filters, so a reload or a bookmark shows the same figures.
  window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
  try {
    const [data, comments] = await Promise.all([getJson(`/api/insights?${query}`), getJson(`/api/insights/comments?${query}&limit=${COMMENTS_SHOWN}`)]);
    if (seq !== state.loadSeq) return;
    renderTiles(data);
    renderCharts(data);
    renderComments(comments);
    const params = new URLSearchParams(query);
    const channel = params.get('channel');
    $('range-summary').textContent = `${longDay(params.get('from') ?? '')} to ${longDay(params.get('to') ?? '')}, ${channel ? `channel ${channel}` : 'all channels'}.`;
    section.dataset.state = 'ready';
    section.dataset.loadedQuery = query;
    notify('');
  } catch (err) {
    if (seq !== state.loadSeq) return;
    section.dataset.state = 'error';
    delete section.dataset.loadedQuery;
    reportError(err);
  } finally {
    if (seq === state.loadSeq) section.removeAttribute('aria-busy');
  }
}

/** A 400 is the server refusing the filters: its reason says which. @param {unknown} err */
const reportError = (err) => reportApiError(err, 'Cannot show these figures: ');

/** Fetches the CSV with the token (a link cannot send the header) and saves it as a file. */
async function downloadCsv() {
  const button = /** @type {HTMLButtonElement} */ ($('download-csv'));
  button.disabled = true;
  try {
    const query = currentQuery();
    const res = await session.request(`/api/insights.csv?${query}`, { accept: 'text/csv' });
    const blob = await res.blob();
    const params = new URLSearchParams(query);
    // The server names the file (Content-Disposition); the same name is built here if it does not.
    const named = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    const name = named ?? `${['insights', params.get('from'), params.get('to'), params.get('channel')].filter(Boolean).join('-')}.csv`;
    const url = URL.createObjectURL(blob);
    const link = el('a', { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // The browser has taken the file once the click is handled; free the blob soon after.
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    notify(`Downloaded ${name}.`, 'ok');
  } catch (err) {
    reportError(err);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Sign in / out (the console's token, verified with /api/me)

async function enter() {
  const me = await getJson('/api/me');
  state.name = String(me?.name ?? 'staff');
  $('agent-name').textContent = state.name;
  $('whoami').hidden = false;
  $('signin').hidden = true;
  $('insights').hidden = false;
  await load();
}

/** Signing out: an answer still on its way is not drawn. */
function leave() {
  state.name = null;
  state.loadSeq += 1;
}

function showSignedOut() {
  state.name = null;
  $('whoami').hidden = true;
  $('insights').hidden = true;
  delete $('insights').dataset.loadedQuery;
  $('signin').hidden = false;
  $('token').focus();
}

const session = new StaffSession({ enter, signedIn: () => Boolean(state.name), leave, showSignedOut });

/** The charts' figures, from CHARTS: a plot and its table alternative each. */
function buildCharts() {
  $('charts').replaceChildren(
    ...CHARTS.map(({ key, title }) =>
      el(
        'figure',
        { className: 'chart', id: `chart-${key}`, 'aria-labelledby': `chart-${key}-title` },
        el('figcaption', { id: `chart-${key}-title` }, title),
        el('div', { className: 'plot' }),
        el('details', {}, el('summary', {}, 'Show as a table'), el('div', { className: 'table-alt' })),
      ),
    ),
  );
}

async function start() {
  buildCharts();
  initFilters();
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    void load();
  });
  // A new channel is shown at once; dates wait for "Show" (typing a date passes through invalid days).
  $('channel').addEventListener('change', () => void load());
  $('download-csv').addEventListener('click', () => void downloadCsv());
  await session.start();
}

void start();
