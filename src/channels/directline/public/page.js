// The demo page / widget frame: gets a Direct Line token from the bot, then renders Web Chat.
(function () {
  'use strict';
  // The page's look, with the query's title/colour/welcome already applied: the server renders the
  // title, welcome and colour into the HTML (webChat.ts), so nothing here has to set them.
  var config = JSON.parse(document.getElementById('widget-config').textContent);
  var params = new URLSearchParams(window.location.search);
  var title = config.title;
  var color = config.color;

  function fail(message) {
    var status = document.getElementById('status');
    status.textContent = message;
    status.hidden = false;
  }

  fetch('/api/webchat/token', { method: 'POST' })
    .then(function (res) {
      if (!res.ok) throw new Error('the token endpoint answered ' + res.status);
      return res.json();
    })
    .then(function (t) {
      var directLine = window.WebChat.createDirectLine({
        token: t.token,
        domain: t.domain || window.location.origin + '/v3/directline',
        // The stream by default; ?transport=polling polls GET …/activities?watermark= instead.
        webSocket: t.webSocket && params.get('transport') !== 'polling',
      });
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          userID: t.userId,
          username: 'You',
          locale: 'en-US',
          styleOptions: {
            accent: color,
            bubbleFromUserBackground: color,
            bubbleFromUserTextColor: '#ffffff',
            botAvatarInitials: title.slice(0, 2).toUpperCase(),
            hideUploadButton: true,
            suggestedActionLayout: 'flow',
            suggestedActionBorderColor: color,
            suggestedActionTextColor: color,
          },
        },
        document.getElementById('webchat'),
      );
    })
    .catch(function (err) {
      fail('The chat could not start: ' + err.message + '. Reload the page to try again.');
    });
})();
