// The embeddable widget: <script src="https://bot.example.com/widget.js" data-title="…" data-color="#…" data-welcome="…" async></script>
// Adds a floating button; clicking it opens the bot's chat page in a panel (a frame on the bot's
// origin, so the host page needs no CORS or token handling). The panel has a minimise button; the
// launcher toggles it too. Icons are inline SVG: no emoji or icon font the host page may lack.
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var COLOR = /^#[0-9a-fA-F]{3,8}$/;
  var title = (script.getAttribute('data-title') || 'Support').slice(0, 80);
  var color = script.getAttribute('data-color') || '#0063b1';
  if (!COLOR.test(color)) color = '#0063b1';
  var welcome = script.getAttribute('data-welcome');
  // data-transport="polling": for networks whose proxies break WebSockets (the stream is the default).
  var polling = script.getAttribute('data-transport') === 'polling';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    chat: 'M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2zM6 9h12v2H6V9zm8 5H6v-2h8v2zm4-6H6V6h12v2z',
    down: 'M7.41 8.59 12 13.17l4.59-4.58L18 10l-6 6-6-6 1.41-1.41z',
    minimise: 'M19 13H5v-2h14v2z',
  };

  /** An inline SVG icon, built with DOM calls (no innerHTML: host pages with Trusted Types allow it). */
  function icon(name, size) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('data-icon', name);
    svg.style.cssText = 'display:block;pointer-events:none;';
    var path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // Host pages style buttons; these rules are set on the elements so the widget looks the same everywhere.
  var BUTTON_RESET = 'margin:0;padding:0;border:0;display:flex;align-items:center;justify-content:center;cursor:pointer;line-height:0;';

  function mount() {
    var panelId = 'camsupport-chat-' + Math.random().toString(36).slice(2, 8);
    var launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.setAttribute('aria-label', 'Chat with ' + title);
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-controls', panelId);
    launcher.style.cssText = BUTTON_RESET + 'position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;' +
      'background:' + color + ';color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.3);z-index:2147483000;';
    launcher.appendChild(icon('chat', 28));

    var panel = null;

    function setOpen(open) {
      panel.style.display = open ? 'block' : 'none';
      launcher.setAttribute('aria-expanded', open ? 'true' : 'false');
      launcher.replaceChild(icon(open ? 'down' : 'chat', 28), launcher.firstChild);
    }

    function createPanel() {
      var query = '?embed=1&title=' + encodeURIComponent(title) + '&color=' + encodeURIComponent(color) + (welcome ? '&welcome=' + encodeURIComponent(welcome) : '') + (polling ? '&transport=polling' : '');
      panel = document.createElement('div');
      panel.id = panelId;
      panel.setAttribute('role', 'dialog');
      panel.setAttribute('aria-label', title);
      panel.style.cssText = 'position:fixed;right:20px;bottom:88px;width:380px;height:580px;max-width:calc(100vw - 40px);' +
        'max-height:calc(100vh - 110px);border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff;z-index:2147483000;';
      var frame = document.createElement('iframe');
      frame.src = origin + '/' + query;
      frame.title = title;
      frame.style.cssText = 'display:block;width:100%;height:100%;border:0;margin:0;';
      // Over the frame's header (the page leaves that corner free in embed mode).
      var minimise = document.createElement('button');
      minimise.type = 'button';
      minimise.setAttribute('aria-label', 'Minimise chat');
      minimise.title = 'Minimise chat';
      minimise.style.cssText = BUTTON_RESET + 'position:absolute;top:10px;right:10px;width:36px;height:36px;border-radius:6px;' +
        'background:rgba(0,0,0,.18);color:#fff;';
      minimise.appendChild(icon('minimise', 22));
      minimise.addEventListener('click', function () {
        setOpen(false);
        launcher.focus();
      });
      panel.appendChild(frame);
      panel.appendChild(minimise);
      document.body.appendChild(panel);
    }

    launcher.addEventListener('click', function () {
      if (!panel) {
        createPanel();
        setOpen(true);
        return;
      }
      setOpen(panel.style.display === 'none');
    });
    document.body.appendChild(launcher);
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
