// The operator console (docs/operations.md "Operator console"): reads /api/admin/live with fetch (an
// EventSource cannot send the Authorization header), one snapshot a second, and shows the sale. Rates per
// second come from two consecutive cumulative snapshots. No library, no CDN.
(function () {
  'use strict';
  var OUTCOMES = ['ISSUED', 'DUPLICATE', 'SOLD_OUT', 'NOT_ISSUABLE'];
  var COLORS = { ISSUED: '#1a7f37', DUPLICATE: '#9a6700', SOLD_OUT: '#cf222e', NOT_ISSUABLE: '#6e7781' };
  var history = [];
  var previous = null;
  var controller = null;

  function $(id) { return document.getElementById(id); }
  function status(text) { $('status').textContent = text; }
  function cell(row, text) { var td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }
  function num(value) { return (value === null || value === undefined) ? '-' : String(value); }

  // seconds since the previous snapshot (call only when there is one)
  function elapsed(snapshot) { return Math.max(0.001, (Date.parse(snapshot.at) - Date.parse(previous.at)) / 1000); }

  function rates(snapshot) {
    var perCoupon = {};
    var total = { ISSUED: 0, DUPLICATE: 0, SOLD_OUT: 0, NOT_ISSUABLE: 0 };
    if (previous) {
      var seconds = elapsed(snapshot);
      var before = {};
      previous.coupons.forEach(function (c) { before[c.id] = c.outcomes || {}; });
      snapshot.coupons.forEach(function (c) {
        var now = c.outcomes || {};
        var was = before[c.id] || {};
        perCoupon[c.id] = {};
        OUTCOMES.forEach(function (o) {
          var r = Math.max(0, ((now[o] || 0) - (was[o] || 0)) / seconds);
          perCoupon[c.id][o] = r;
          total[o] += r;
        });
      });
    }
    return { perCoupon: perCoupon, total: total };
  }

  function render(snapshot) {
    var r = rates(snapshot);
    var coupons = $('coupons');
    coupons.textContent = '';
    snapshot.coupons.forEach(function (c) {
      var row = document.createElement('tr');
      row.dataset.coupon = c.id;
      var name = cell(row, c.code + ' (' + c.name + ')');
      if (c.commitFailures) {
        // commits of this event fail: its issues wait in the Redis log (docs/operations.md)
        name.textContent += ' \u26a0 ' + c.commitFailures + ' failed commits, ' + c.uncommitted + ' waiting';
        name.className = 'failing';
      }
      cell(row, num(c.total)).className = 'total';
      cell(row, num(c.issued)).className = 'issued';
      cell(row, num(c.remaining)).className = 'remaining';
      OUTCOMES.forEach(function (o) {
        var rate = (r.perCoupon[c.id] || {})[o];
        cell(row, rate === undefined ? '-' : rate.toFixed(0));
      });
      coupons.appendChild(row);
    });
    if (!snapshot.coupons.length) { coupons.innerHTML = '<tr><td colspan="8">No open coupon event</td></tr>'; }
    var products = $('products');
    products.textContent = '';
    snapshot.products.forEach(function (p) {
      var row = document.createElement('tr');
      row.dataset.product = p.id;
      cell(row, p.name);
      cell(row, num(p.stock)).className = 'stock';
      cell(row, num(p.sellable)).className = 'sellable';
      cell(row, num(p.reserved)).className = 'reserved';
      products.appendChild(row);
    });
    rooms(snapshot);
    list($('orders'), snapshot.orders);
    list($('outbox'), { PENDING: snapshot.outbox.pending, SENT: snapshot.outbox.sent, FAILED: snapshot.outbox.failed,
      'oldest PENDING waits (s)': (snapshot.outbox.lagMs / 1000).toFixed(1) });
    $('streams').textContent = num(snapshot.streams);
    history.push(r.total);
    if (history.length > 60) { history.shift(); }
    chart();
    previous = snapshot;
    status('Live: ' + new Date(snapshot.at).toLocaleTimeString());
  }

  // the open waiting rooms: queue length now, admissions so far and their rate since the last snapshot
  function rooms(snapshot) {
    var body = $('rooms');
    body.textContent = '';
    var before = {};
    var seconds = previous ? elapsed(snapshot) : 0;
    if (previous) { (previous.rooms || []).forEach(function (room) { before[room.roomId] = room.admitted; }); }
    (snapshot.rooms || []).forEach(function (room) {
      var row = document.createElement('tr');
      row.dataset.room = room.roomId;
      cell(row, String(room.roomId));
      cell(row, room.targetType.toLowerCase() + ' ' + room.targetId);
      cell(row, room.status);
      cell(row, num(room.admissionsPerSecond));
      cell(row, num(room.waiting)).className = 'waiting';
      cell(row, num(room.admitted)).className = 'admitted';
      var was = before[room.roomId];
      cell(row, was === undefined ? '-' : (Math.max(0, room.admitted - was) / seconds).toFixed(0));
      body.appendChild(row);
    });
    if (!(snapshot.rooms || []).length) { body.innerHTML = '<tr><td colspan="7">No open waiting room</td></tr>'; }
  }

  function list(dl, entries) {
    dl.textContent = '';
    Object.keys(entries).forEach(function (key) {
      var dt = document.createElement('dt'); dt.textContent = key;
      var dd = document.createElement('dd'); dd.textContent = num(entries[key]); dd.dataset.key = key;
      dl.appendChild(dt); dl.appendChild(dd);
    });
  }

  function chart() {
    var canvas = $('chart');
    var ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    var max = 1;
    history.forEach(function (h) { OUTCOMES.forEach(function (o) { max = Math.max(max, h[o]); }); });
    ctx.fillStyle = '#555';
    ctx.fillText(max.toFixed(0) + '/s', 4, 12);
    OUTCOMES.forEach(function (o) {
      ctx.strokeStyle = COLORS[o];
      ctx.lineWidth = 2;
      ctx.beginPath();
      history.forEach(function (h, i) {
        var x = (canvas.width - 1) * (i + 60 - history.length) / 59;
        var y = canvas.height - 4 - (canvas.height - 20) * h[o] / max;
        if (i === 0) { ctx.moveTo(x, y); } else { ctx.lineTo(x, y); }
      });
      ctx.stroke();
    });
  }

  function connect(token) {
    if (controller) { controller.abort(); }
    controller = new AbortController();
    status('Connecting...');
    fetch('/api/admin/live', { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' },
        signal: controller.signal })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { status('Stream ended; reconnecting...'); setTimeout(function () { connect(token); }, 1000); return; }
            buffer += decoder.decode(chunk.value, { stream: true });
            var events = buffer.split('\n\n');
            buffer = events.pop();
            events.forEach(function (block) {
              var data = block.split('\n').filter(function (l) { return l.indexOf('data:') === 0; })
                .map(function (l) { return l.slice(5); }).join('\n');
              if (data) { render(JSON.parse(data)); }
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function (error) {
        if (error.name !== 'AbortError') { status('Not connected: ' + error.message); }
      });
  }

  $('connect').addEventListener('submit', function (event) {
    event.preventDefault();
    connect($('token').value.trim());
  });

  // the local profile mints development tokens: use one, so a newcomer sees the console at once
  fetch('/api/dev/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 1, admin: true }) })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (body) { if (body && body.token) { $('token').value = body.token; connect(body.token); } })
    .catch(function () { /* not the local profile: the operator pastes a token */ });
}());
