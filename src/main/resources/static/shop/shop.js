// The storefront (docs/operations.md "Storefront"): plain JavaScript against the public API. The bearer
// token stays in this page and goes only into the Authorization header; the order's status stream is
// opened with EventSource and a short-lived stream token (an EventSource cannot send headers), and so is
// a waiting room's line when a claim or an order meets one.
(function () {
  'use strict';
  var token = null;
  var stream = null;
  var line = null;

  function $(id) { return document.getElementById(id); }
  function say(id, text) { $(id).textContent = text; }
  function krw(amount) { return amount.toLocaleString('en-US') + ' KRW'; }
  function api(method, path, body, extra) {
    var headers = { Authorization: 'Bearer ' + token, Accept: 'application/json' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.text().then(function (text) {
          return { status: response.status, body: text ? JSON.parse(text) : null };
        });
      });
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return 'k-' + Date.now() + '-' + Math.random().toString(36).slice(2);
  }

  function signedIn(newToken) {
    token = newToken;
    api('GET', '/api/balance').then(function (r) {
      if (r.status !== 200) { say('who', 'Sign-in failed (' + r.status + ')'); return; }
      say('who', 'Signed in as customer ' + r.body.userId);
      say('balance', 'Balance: ' + krw(r.body.balance));
      loadProducts();
      loadCoupons();
    });
  }

  function loadProducts() {
    api('GET', '/api/products').then(function (r) {
      var list = $('products');
      list.textContent = '';
      (r.body.products || []).forEach(function (p) {
        var item = document.createElement('li');
        item.dataset.product = p.id;
        var name = document.createElement('h3'); name.textContent = p.name;
        var price = document.createElement('p'); price.className = 'price'; price.textContent = krw(p.price);
        var stock = document.createElement('p'); stock.textContent = p.stock > 0 ? p.stock + ' left' : 'Sold out';
        var buy = document.createElement('button'); buy.type = 'button'; buy.textContent = 'Buy one';
        buy.setAttribute('aria-label', 'Buy one ' + p.name);
        buy.addEventListener('click', function () { order(p); });
        item.appendChild(name); item.appendChild(price); item.appendChild(stock); item.appendChild(buy);
        list.appendChild(item);
      });
    });
  }

  function loadCoupons() {
    api('GET', '/api/coupons').then(function (r) {
      var select = $('use-coupon');
      select.textContent = '';
      var none = document.createElement('option'); none.value = ''; none.textContent = 'No coupon';
      select.appendChild(none);
      ((r.body && r.body.coupons) || []).forEach(function (c) {
        var option = document.createElement('option');
        option.value = c.userCouponId;
        option.textContent = c.name + ' (' + krw(c.discountAmount) + ' off)';
        select.appendChild(option);
      });
      if (select.options.length > 1) { select.selectedIndex = 1; }
    });
  }

  var CLAIMS = { 201: 'Coupon claimed: it is yours.', 409: 'You already hold this coupon.', 410: 'Sold out: all coupons are gone.',
    403: 'This event is not open right now.', 404: 'There is no such event.', 429: 'Too many tries; wait a moment.' };

  function claim(event) {
    event.preventDefault();
    sendClaim($('coupon-id').value, {});
  }

  function sendClaim(id, extra) {
    say('claim-result', 'Claiming...');
    api('POST', '/api/coupons/' + encodeURIComponent(id) + '/issue', undefined, extra).then(function (r) {
      if (behindRoom(r)) {
        say('claim-result', 'This event has a waiting room: you are in line.');
        throughRoom(r.body.roomId, function (admission) { sendClaim(id, { 'Admission-Token': admission }); });
        return;
      }
      say('claim-result', CLAIMS[r.status] || ('Could not claim (' + ((r.body && r.body.detail) || r.status) + ')'));
      loadCoupons();
    });
  }

  // A 403 ADMISSION_REQUIRED names the waiting room in front of the event or product (docs/api.md
  // "Waiting room"): the customer takes a ticket, watches the place in line live, and the same request is
  // sent again with the single-use admission token once admitted.
  function behindRoom(r) {
    return r.status === 403 && r.body && r.body.code === 'ADMISSION_REQUIRED' && r.body.roomId;
  }

  function throughRoom(roomId, admitted) {
    if (line) { line.close(); }
    $('waiting').hidden = false;
    say('queue-state', 'Taking a place in line...');
    var room = '/api/waiting-room/' + encodeURIComponent(roomId) + '/tickets';
    api('POST', room).then(function (t) {
      if (t.status !== 201 && t.status !== 200) {
        say('queue-state', 'Could not join the line: ' + ((t.body && t.body.detail) || t.status));
        return;
      }
      var ticket = room + '/' + t.body.ticketId;
      showPlace(t.body);
      api('POST', ticket + '/stream-token').then(function (s) {
        if (s.status !== 200) { say('queue-state', 'Could not follow the line (' + s.status + ')'); return; }
        var done = false;
        line = new EventSource(ticket + '/events?streamToken=' + encodeURIComponent(s.body.streamToken));
        window.shopLine = line;
        line.addEventListener('position', function (e) { showPlace(JSON.parse(e.data)); });
        line.addEventListener('admitted', function (e) {
          done = true;
          line.close();
          say('queue-state', 'Your turn: sending your request.');
          admitted(JSON.parse(e.data).admissionToken);
        });
        line.addEventListener('error', function () {
          if (!done && line.readyState === EventSource.CLOSED) { say('queue-state', 'You are no longer in line; try again.'); }
        });
      });
    });
  }

  function showPlace(place) {
    if (place.position === null || place.position === undefined) {
      say('queue-state', 'The line opens in ' + place.etaSeconds + ' s; your place is drawn then.');
    } else {
      say('queue-state', 'Place in line: ' + place.position + ', about ' + place.etaSeconds + ' s to go.');
    }
  }

  function order(product) {
    var coupon = $('use-coupon').value;
    var body = { items: [{ productId: product.id, quantity: 1 }] };
    if (coupon) { body.userCouponId = Number(coupon); }
    $('order-events').textContent = '';
    place(body, { 'Idempotency-Key': newKey() });
  }

  // an order sent again after the waiting room keeps its Idempotency-Key
  function place(body, headers) {
    say('order-result', 'Placing the order...');
    api('POST', '/api/orders', body, headers).then(function (r) {
      if (r.status === 201 || r.status === 202) {
        say('order-result', 'Order ' + r.body.orderId + ': ' + r.body.status
          + (r.status === 201 ? ', paid ' + krw(r.body.paidAmount) : ' (being settled)'));
        watch(r.body.orderId);
      } else if (behindRoom(r)) {
        say('order-result', 'This product has a waiting room: you are in line.');
        throughRoom(r.body.roomId, function (admission) {
          place(body, { 'Idempotency-Key': headers['Idempotency-Key'], 'Admission-Token': admission });
        });
        return;
      } else {
        say('order-result', 'Not ordered: ' + ((r.body && r.body.detail) || r.status));
      }
      signedInRefresh();
    });
  }

  function signedInRefresh() {
    api('GET', '/api/balance').then(function (r) { if (r.status === 200) { say('balance', 'Balance: ' + krw(r.body.balance)); } });
    loadProducts();
    loadCoupons();
  }

  function watch(orderId) {
    if (stream) { stream.close(); }
    api('POST', '/api/orders/' + orderId + '/stream-token').then(function (r) {
      if (r.status !== 200) { say('stream-state', 'Live status unavailable (' + r.status + ')'); return; }
      stream = new EventSource('/api/orders/' + orderId + '/events?streamToken=' + encodeURIComponent(r.body.streamToken));
      window.shopStream = stream;
      say('stream-state', 'Watching order ' + orderId + '...');
      stream.addEventListener('order-status', function (e) {
        var data = JSON.parse(e.data);
        var item = document.createElement('li');
        item.dataset.status = data.status;
        item.textContent = data.status + ' at ' + new Date(data.at).toLocaleTimeString();
        $('order-events').appendChild(item);
      });
      stream.addEventListener('error', function () {
        // the server ends the stream after the final status and answers the browser's reconnect with 204,
        // which makes EventSource stop for good (readyState CLOSED)
        if (stream.readyState === EventSource.CLOSED) { say('stream-state', 'Order ' + orderId + ': final status received.'); }
      });
    });
  }

  $('signin').addEventListener('submit', function (event) { event.preventDefault(); signedIn($('token').value.trim()); });
  $('claim').addEventListener('submit', claim);
  $('demo').addEventListener('submit', function (event) {
    event.preventDefault();
    fetch('/api/dev/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId: Number($('demo-user').value) }) })
      .then(function (response) { return response.json(); })
      .then(function (body) { signedIn(body.token); });
  });
  // the local profile offers demo customers: show the picker only where the token endpoint exists
  fetch('/api/dev/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    .then(function (response) { if (response.status === 400) { $('demo').hidden = false; } })
    .catch(function () {});
}());
