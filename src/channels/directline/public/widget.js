// The embeddable widget: <script src="https://bot.example.com/widget.js" data-title="…" data-color="#…" data-welcome="…" async></script>
// Adds a floating button; clicking it opens the bot's chat page in a frame (same origin as the bot,
// so the host page needs no CORS or token handling).
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

  function mount() {
    var button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('aria-label', 'Chat with ' + title);
    button.setAttribute('aria-expanded', 'false');
    button.textContent = '\uD83D\uDCAC';
    button.style.cssText = 'position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;' +
      'background:' + color + ';color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);z-index:2147483000;';
    var frame = null;
    button.addEventListener('click', function () {
      if (!frame) {
        var query = '?embed=1&title=' + encodeURIComponent(title) + '&color=' + encodeURIComponent(color) + (welcome ? '&welcome=' + encodeURIComponent(welcome) : '') + (polling ? '&transport=polling' : '');
        frame = document.createElement('iframe');
        frame.src = origin + '/' + query;
        frame.title = title;
        frame.style.cssText = 'position:fixed;right:20px;bottom:88px;width:380px;height:580px;max-width:calc(100vw - 40px);' +
          'max-height:calc(100vh - 110px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff;z-index:2147483000;';
        document.body.appendChild(frame);
        button.setAttribute('aria-expanded', 'true');
        return;
      }
      var open = frame.style.display === 'none';
      frame.style.display = open ? '' : 'none';
      button.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
    document.body.appendChild(button);
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
