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

  // ---- Agent lines: under the agent's name, with an avatar of their own --------------------------

  // Web Chat's UMD bundle does not expose React, and its middleware must return React elements.
  // The bundle served is the pinned botframework-webchat 4.18 (React 16.8 inside), where an element
  // is a plain object tagged with Symbol.for('react.element'): the two the page needs are built here.
  var REACT_ELEMENT = typeof Symbol === 'function' && Symbol.for ? Symbol.for('react.element') : 0xeac7;
  function h(type, props, children) {
    var all = { children: children };
    for (var k in props) if (Object.prototype.hasOwnProperty.call(props, k) && k !== 'key') all[k] = props[k];
    return { $$typeof: REACT_ELEMENT, type: type, key: props.key === undefined ? null : String(props.key), ref: null, props: all, _owner: null };
  }

  /** The agent's name on a line an agent sent (BotCustomerMessenger sets channelData.agent), or null. */
  function agentOf(activity) {
    var agent = activity && activity.channelData && activity.channelData.agent;
    return agent && typeof agent.name === 'string' && agent.name.trim() ? agent.name.trim().slice(0, 60) : null;
  }

  function agentLabel(name) {
    return name + ' (support)';
  }

  function initials(name) {
    var words = name.split(/[\s._-]+/).filter(Boolean);
    var letters = words.length > 1 ? words[0].charAt(0) + words[1].charAt(0) : name.slice(0, 2);
    return letters.toUpperCase();
  }

  // The bot's avatar is one for the whole chat (styleOptions.botAvatarInitials); an agent's line gets theirs.
  var avatarMiddleware = function () {
    return function (next) {
      return function (args) {
        var name = !args.fromUser && agentOf(args.activity);
        if (!name) return next(args);
        return function () {
          return h('div', { className: 'agent-avatar', title: agentLabel(name), 'aria-hidden': 'true' }, initials(name));
        };
      };
    };
  };

  // The name goes next to the time under the agent's lines (once per run of lines, as the time does).
  var activityStatusMiddleware = function () {
    return function (next) {
      return function (args) {
        var status = next(args);
        var name = agentOf(args.activity);
        if (!name || args.hideTimestamp) return status;
        return h('span', { className: 'agent-status' }, [
          h('span', { key: 'name', className: 'agent-name' }, agentLabel(name)),
          h('span', { key: 'sep', className: 'agent-sep', 'aria-hidden': 'true' }, ' \u00b7 '),
          h('span', { key: 'time' }, status),
        ]);
      };
    };
  };

  // Web Chat groups lines by role, so an agent's lines would sit under the bot's avatar and time:
  // a group is split where the agent changes, and each agent run gets its own avatar, name and time.
  function splitByAgent(bins) {
    var out = [];
    (bins || []).forEach(function (bin) {
      var current = null;
      var last;
      bin.forEach(function (activity) {
        var who = agentOf(activity) || '';
        if (!current || who !== last) {
          current = [];
          out.push(current);
        }
        current.push(activity);
        last = who;
      });
    });
    return out;
  }
  var groupActivitiesMiddleware = function () {
    return function (next) {
      return function (args) {
        var groups = next(args);
        return Object.assign({}, groups, { sender: splitByAgent(groups.sender), status: splitByAgent(groups.status) });
      };
    };
  };

  // ---- The transcript, saved by the customer as a text file -------------------------------------

  /** The readable text of an Adaptive Card (text blocks and facts, in order), or of a hero card. */
  function cardLines(node, out) {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(function (n) {
        cardLines(n, out);
      });
      return;
    }
    if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
    else if (node.type === 'RichTextBlock' && Array.isArray(node.inlines)) {
      out.push(node.inlines.map(function (i) { return typeof i === 'string' ? i : i && typeof i.text === 'string' ? i.text : ''; }).join(''));
    } else if (node.type === 'FactSet' && Array.isArray(node.facts)) {
      node.facts.forEach(function (f) {
        out.push(String(f.title) + ': ' + String(f.value));
      });
    }
    cardLines(node.body, out);
    cardLines(node.items, out);
    cardLines(node.columns, out);
  }

  function attachmentLines(attachment) {
    var out = [];
    var content = attachment && attachment.content;
    if (attachment.contentType === 'application/vnd.microsoft.card.adaptive') cardLines(content, out);
    else if (content && typeof content === 'object') {
      ['title', 'subtitle', 'text'].forEach(function (k) {
        if (typeof content[k] === 'string' && content[k]) out.push(content[k]);
      });
    }
    if (out.length === 0) out.push('[' + (attachment.name || attachment.contentType || 'attachment') + ']');
    return out;
  }

  function two(n) {
    return (n < 10 ? '0' : '') + n;
  }

  /** The conversation's messages as plain text: who, when (the customer's local time) and what. */
  function transcriptText(activities, now) {
    var day = new Intl.DateTimeFormat(undefined, { dateStyle: 'full' });
    var time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
    var lines = [title + ': chat transcript', 'Saved ' + day.format(now) + ', ' + time.format(now), ''];
    var lastDay = null;
    activities.forEach(function (activity) {
      if (activity.type !== 'message') return;
      var at = activity.timestamp ? new Date(activity.timestamp) : null;
      if (at && !isNaN(at.getTime())) {
        var thisDay = day.format(at);
        if (thisDay !== lastDay) {
          lines.push('— ' + thisDay + ' —');
          lastDay = thisDay;
        }
      } else at = null;
      var agent = agentOf(activity);
      var who = activity.from && activity.from.role === 'user' ? 'You' : agent ? agentLabel(agent) : title;
      var body = [];
      if (typeof activity.text === 'string' && activity.text) body.push(activity.text);
      (activity.attachments || []).forEach(function (a) {
        body = body.concat(attachmentLines(a));
      });
      var options = (activity.suggestedActions && activity.suggestedActions.actions) || [];
      if (options.length) {
        body.push('Options: ' + options.map(function (o) { return o.title || o.value; }).join(' | '));
      }
      if (body.length === 0) return;
      var prefix = (at ? '[' + time.format(at) + '] ' : '') + who + ': ';
      // Continuation lines are indented under the speaker, so a reader sees where a message ends.
      lines.push(prefix + body.join('\n').split('\n').join('\n    '));
    });
    return lines.join('\n') + '\n';
  }

  function transcriptFileName(now) {
    var slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'chat';
    return slug + '-chat-' + now.getFullYear() + '-' + two(now.getMonth() + 1) + '-' + two(now.getDate()) + '-' + two(now.getHours()) + two(now.getMinutes()) + '.txt';
  }

  function downloadTranscript(store) {
    var now = new Date();
    var blob = new Blob([transcriptText(store.getState().activities || [], now)], { type: 'text/plain;charset=utf-8' });
    var url = URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = transcriptFileName(now);
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Revoked later, not at once: some browsers read the blob after click() returns.
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  // ---- Start -------------------------------------------------------------------------------------

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
      // Our own store, so the transcript can be read from it.
      var store = window.WebChat.createStore();
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          store: store,
          userID: t.userId,
          username: 'You',
          locale: 'en-US',
          avatarMiddleware: avatarMiddleware,
          activityStatusMiddleware: activityStatusMiddleware,
          groupActivitiesMiddleware: groupActivitiesMiddleware,
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
      var download = document.getElementById('download');
      download.addEventListener('click', function () {
        downloadTranscript(store);
      });
      download.hidden = false;
    })
    .catch(function (err) {
      fail('The chat could not start: ' + err.message + '. Reload the page to try again.');
    });
})();
