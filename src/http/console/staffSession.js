// The staff session shared by the agent console (console.js) and its Insights page (insights.js):
// plain ES module, no framework. One bearer token kept in this tab's sessionStorage serves both
// pages; it is verified by the page's own `enter()` (GET /api/me) and forgotten on a 401.
// The sign-in form is built here so both pages show the same one. Text is only set with textContent.

const TOKEN_KEY = 'camsupport.staffToken';
const REVOKED = 'The server no longer accepts your token; sign in again.';

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let noticeTimer = 0;
/** The page's status line (#notice); anything but an error clears itself after a while. @param {string} text @param {'ok' | 'error' | 'info'} [kind] */
export function notify(text, kind = 'info') {
  const notice = $('notice');
  notice.textContent = text;
  notice.className = `notice ${kind}`;
  window.clearTimeout(noticeTimer);
  if (kind !== 'error' && text) noticeTimer = window.setTimeout(() => notify(''), 6000);
}

/**
 * Shows a failed call in the status line. A 401 is not repeated: the sign-out has said so.
 * @param {unknown} err @param {string} [badRequest] a prefix for a 400's reason (the server names what it refused)
 */
export function reportError(err, badRequest = '') {
  if (err instanceof ApiError && err.status === 401) return;
  const message = err instanceof Error ? err.message : String(err);
  notify(badRequest && err instanceof ApiError && err.status === 400 ? `${badRequest}${message}` : message || 'Something went wrong.', 'error');
}

/** @param {string} text */
function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * An element with DOM properties (not markup) set; strings among the children become text nodes.
 * @param {string} tag @param {Record<string, unknown>} props @param {...(Node | string)} children
 */
function element(tag, props, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The sign-in form, built into the page's `#signin` section (the same form on both pages). @param {HTMLElement} section */
function renderSignInForm(section) {
  section.replaceChildren(
    element('h2', { id: 'signin-title' }, 'Sign in'),
    element(
      'form',
      { id: 'signin-form', autocomplete: 'off' },
      element('label', { htmlFor: 'token' }, 'Staff token'),
      element('input', { id: 'token', name: 'token', type: 'password', required: true, spellcheck: false, autocomplete: 'off' }),
      element('button', { type: 'submit' }, 'Sign in'),
      element('p', { className: 'hint' }, 'The token stays in this browser tab only (session storage) and is sent as a bearer token.'),
    ),
  );
}

/**
 * What a page does around the shared session.
 * @typedef {object} StaffPage
 * @property {() => Promise<void>} enter verifies the token (GET /api/me) and shows the page's data; throws to refuse
 * @property {() => boolean} signedIn whether `enter` has succeeded (a 401 then means the token was revoked)
 * @property {(message?: string) => void} leave drops the page's data and timers (the token is still set, then forgotten)
 * @property {() => void} showSignedOut hides the data and shows the sign-in form
 * @property {() => void} [welcome] after a sign-in with the form (not after resuming a kept token)
 */

/** The bearer token of this tab and the staff API calls made with it. */
export class StaffSession {
  /** @type {string | null} */ token = null;

  /** @param {StaffPage} page */
  constructor(page) {
    this.page = page;
  }

  /** The Authorization header's value. */
  get bearer() {
    return `Bearer ${this.token ?? ''}`;
  }

  /** The server answered 401: signed in, that means the token was revoked (back to the form, with the reason). */
  refused() {
    if (this.page.signedIn()) this.signOut(REVOKED);
  }

  /**
   * Calls the staff API; answers the response when it is 2xx, else throws an ApiError with the server's reason.
   * @param {string} path
   * @param {{ method?: string, accept?: string, body?: unknown }} [options]
   */
  async request(path, { method = 'GET', accept = 'application/json', body } = {}) {
    /** @type {Record<string, string>} */
    const headers = { Authorization: this.bearer, Accept: accept };
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
    if (res.ok) return res;
    const data = parseJson(await res.text());
    const err = new ApiError(res.status, data?.error ?? `http_${res.status}`, data?.message ?? `${method} ${path} failed with ${res.status}.`);
    if (res.status === 401) this.refused();
    throw err;
  }

  /** A JSON call: the parsed answer, or null for an empty one. @param {string} method @param {string} path @param {unknown} [body] */
  async json(method, path, body) {
    const res = await this.request(path, { method, body });
    return parseJson(await res.text());
  }

  /** Builds the sign-in form, wires it and the sign-out button, and resumes a token kept in this tab. */
  async start() {
    renderSignInForm($('signin'));
    $('signin-form').addEventListener('submit', (e) => void this.signIn(/** @type {SubmitEvent} */ (e)));
    $('sign-out').addEventListener('click', () => this.signOut());
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) {
      this.token = saved;
      try {
        await this.page.enter();
        return;
      } catch (err) {
        this.forget();
        if (err instanceof ApiError && err.status === 401) notify('Your saved token is no longer valid; sign in again.', 'error');
        else reportError(err);
      }
    }
    this.page.showSignedOut();
  }

  /** @param {SubmitEvent} event */
  async signIn(event) {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ ($('token'));
    const token = input.value.trim();
    if (!token) return;
    this.token = token;
    try {
      // Kept before the page fills in: it is usable (and may be reloaded) as soon as it shows.
      sessionStorage.setItem(TOKEN_KEY, token);
      await this.page.enter();
      input.value = '';
      this.page.welcome?.();
    } catch (err) {
      this.forget();
      if (err instanceof ApiError && err.status === 401) notify('That token was not accepted.', 'error');
      else reportError(err);
      this.page.showSignedOut();
    }
  }

  /** Signs out: by hand (no message), or because the server refused the token (the message says so). @param {string} [message] */
  signOut(message) {
    this.page.leave(message);
    this.forget();
    this.page.showSignedOut();
    notify(message ?? 'Signed out.', message ? 'error' : 'ok');
  }

  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    this.token = null;
  }
}
