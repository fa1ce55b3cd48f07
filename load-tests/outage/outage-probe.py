#!/usr/bin/env python3
"""The HTTP side of redis-outage.sh (python3 stdlib only; loopback only).

  outage-probe.py setup   --base URL --state FILE [--users N]
  outage-probe.py burst   --base URL --state FILE --phase NAME [--requests 100] [--concurrency 10]
  outage-probe.py recover --base URL --state FILE --phase NAME [--deadline 60] --restore COMMAND
  outage-probe.py check   --base URL --state FILE

setup    creates a product, a coupon event and N users through the admin API (Redis and the database
         up), charges the users, places one order for the reads, and writes the ids to FILE (JSON).
burst    sends REQUESTS requests to each of the six flows (charge, coupon issue, order, product read,
         balance read, order read), CONCURRENCY at a time, each by a user no other request uses, and
         prints one line per flow: p50/p99/max latency (ms), statuses, and how many 503s had Retry-After.
recover  runs COMMAND (gives Redis back) and from that moment sends one request per flow at a time, every
         100 ms, until the flow answers 2xx; prints each flow's time to its first 2xx and the largest
         (the time to full service), or FAIL past the deadline.
check    prints the invariants after recovery: the coupon's issuedCount + remainingQuantity ==
         totalQuantity (once the issue pipeline settled, at most --settle seconds), the product's sellableStock == stock (no order in flight), and that a user who
         was issued the coupon before the outage is still refused a second one (holders rebuilt).
Every request has a client timeout (30 s in a burst, 5 s in recovery), so nothing waits unbounded.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
MINT = os.path.join(HERE, "..", "wrk", "mint-tokens.py")
FLOWS = ["charge", "coupon", "order", "product", "balance", "order-read"]


def token(user_id, admin=False):
    args = [sys.executable, MINT, "--start", str(user_id), "--count", "1"] + (["--admin"] if admin else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def tokens(first, count):
    out = subprocess.run([sys.executable, MINT, "--start", str(first), "--count", str(count)],
                         check=True, capture_output=True, text=True).stdout.split()
    return dict(zip(range(first, first + count), out))


def call(base, method, path, bearer, body=None, headers=None, timeout=30.0):
    """(status, headers dict lower-case, body bytes, seconds); status 0 = no answer within timeout."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    sent = {"Authorization": "Bearer " + bearer}
    if body is not None:
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    start = time.monotonic()
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data, time.monotonic() - start
    except (OSError, http.client.HTTPException):
        return 0, {}, b"", time.monotonic() - start
    finally:
        conn.close()


def steady(base, method, path, bearer, body=None, headers=None):
    """call() for the setup, retried on a 503 (a busy machine may time out a Redis command) up to 5 times."""
    for attempt in range(5):
        result = call(base, method, path, bearer, body, headers)
        if result[0] != 503:
            return result
        time.sleep(0.2 * (attempt + 1))
    return result


def must(result, *ok):
    status, _, data, _ = result
    if status not in ok:
        raise SystemExit(f"setup request failed: {status} {data[:300]!r}")
    return json.loads(data) if data else None


def setup(args):
    admin = token(1, admin=True)
    product = must(steady(args.base, "POST", "/api/admin/products", admin,
                        {"name": "Outage probe", "price": 1000, "stock": 1_000_000}), 201)
    now = datetime.now(timezone.utc)
    coupon = must(steady(args.base, "POST", "/api/admin/coupons", admin, {
        "code": "OUTAGE-" + uuid.uuid4().hex[:12], "name": "outage probe", "discountAmount": 100,
        "totalQuantity": 1_000_000, "startsAt": (now - timedelta(minutes=1)).isoformat(),
        "endsAt": (now + timedelta(hours=2)).isoformat(), "validDays": 7}), 201)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        users = sorted(pool.map(lambda i: must(steady(args.base, "POST", "/api/admin/users", admin,
                                                    {"name": f"outage-{i}"}), 201)["id"], range(args.users)))
        minted = tokens(users[0], users[-1] - users[0] + 1)
        list(pool.map(lambda user: must(steady(args.base, "POST", "/api/balance/charge", minted[user],
                                             {"amount": 100_000}), 200), users))
    reader = users[0]
    order = must(steady(args.base, "POST", "/api/orders", minted[reader],
                      {"items": [{"productId": product["id"], "quantity": 1}]},
                      {"Idempotency-Key": uuid.uuid4().hex}), 201)
    holder = users[1]
    must(steady(args.base, "POST", f"/api/coupons/{coupon['id']}/issue", minted[holder]), 201)
    state = {"productId": product["id"], "couponId": coupon["id"], "readerUser": reader, "orderId": order["orderId"],
             "holderUser": holder, "freeUsers": users[2:], "firstUser": users[0], "lastUser": users[-1]}
    with open(args.state, "w") as f:
        json.dump(state, f)
    print(f"SETUP product={product['id']} coupon={coupon['id']} users={len(users)} order={order['orderId']}")


class Users:
    """Hands out users no earlier request used (a user lock or an idempotency record of a timed-out
    request must not decide a later one)."""

    def __init__(self, state):
        self.state = state
        self.lock = threading.Lock()
        self.minted = tokens(state["firstUser"], state["lastUser"] - state["firstUser"] + 1)

    def take(self):
        with self.lock:
            if not self.state["freeUsers"]:
                raise SystemExit("out of users: run setup with a larger --users")
            user = self.state["freeUsers"].pop(0)
        return self.minted[user]

    def reader(self):
        return self.minted[self.state["readerUser"]]

    def save(self, path):
        with open(path, "w") as f:
            json.dump(self.state, f)


def request(base, users, flow, timeout):
    s = users.state
    if flow == "charge":
        return call(base, "POST", "/api/balance/charge", users.take(), {"amount": 1000}, timeout=timeout)
    if flow == "coupon":
        return call(base, "POST", f"/api/coupons/{s['couponId']}/issue", users.take(), timeout=timeout)
    if flow == "order":
        return call(base, "POST", "/api/orders", users.take(), {"items": [{"productId": s["productId"], "quantity": 1}]},
                    {"Idempotency-Key": uuid.uuid4().hex}, timeout=timeout)
    if flow == "product":
        return call(base, "GET", f"/api/products/{s['productId']}", users.reader(), timeout=timeout)
    if flow == "balance":
        return call(base, "GET", "/api/balance", users.reader(), timeout=timeout)
    return call(base, "GET", f"/api/orders/{s['orderId']}", users.reader(), timeout=timeout)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))]


def burst(args):
    with open(args.state) as f:
        users = Users(json.load(f))
    for flow in FLOWS:
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda _: request(args.base, users, flow, 30.0), range(args.requests)))
        ms = [r[3] * 1000 for r in results]
        statuses = {}
        for r in results:
            statuses[r[0]] = statuses.get(r[0], 0) + 1
        unavailable = [r for r in results if r[0] == 503]
        retry_after = sum(1 for r in unavailable if "retry-after" in r[1])
        print(f"BURST phase={args.phase} flow={flow} n={len(results)} p50_ms={percentile(ms, 50):.0f} "
              f"p99_ms={percentile(ms, 99):.0f} max_ms={max(ms):.0f} "
              f"statuses={','.join(f'{k}:{v}' for k, v in sorted(statuses.items()))} "
              f"retry_after={retry_after}/{len(unavailable)}", flush=True)
    users.save(args.state)


def recover(args):
    with open(args.state) as f:
        users = Users(json.load(f))
    firsts = {}
    last = {}
    # ready (tokens minted) before Redis is given back: the clock starts with the restore command
    args.since = time.time()
    subprocess.run(args.restore, shell=True, check=True)
    deadline = args.since + args.deadline

    def probe(flow):
        while time.time() < deadline:
            status, _, data, _ = request(args.base, users, flow, 5.0)
            last[flow] = status
            if 200 <= status < 300:
                firsts[flow] = time.time() - args.since
                return
            time.sleep(0.1)

    threads = [threading.Thread(target=probe, args=(flow,)) for flow in FLOWS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    users.save(args.state)
    parts = " ".join(f"{flow}={firsts[flow]:.2f}s" if flow in firsts else f"{flow}=FAIL(last {last.get(flow)})"
                     for flow in FLOWS)
    full = f"{max(firsts.values()):.2f}s" if len(firsts) == len(FLOWS) else "FAIL"
    print(f"RECOVER phase={args.phase} full_service={full} {parts}", flush=True)
    return 0 if len(firsts) == len(FLOWS) else 1


def check(args):
    with open(args.state) as f:
        s = json.load(f)
    admin = token(1, admin=True)
    failed = 0
    # issues Redis decided but MySQL has not committed yet (a script that ran after its caller timed out)
    # reach MySQL through the issue-log recovery: wait for the pipeline to settle, at most --settle seconds
    settle_until = time.time() + args.settle
    while True:
        coupon = must(call(args.base, "GET", f"/api/admin/coupons/{s['couponId']}", admin), 200)
        ok = coupon["issuedCount"] + coupon["remainingQuantity"] == coupon["totalQuantity"]
        if ok or time.time() > settle_until:
            break
        time.sleep(1)
    failed += not ok
    print(f"CHECK coupon issuedCount={coupon['issuedCount']} remaining={coupon['remainingQuantity']} "
          f"total={coupon['totalQuantity']} {'PASS' if ok else 'FAIL'}")
    sales = must(call(args.base, "GET", f"/api/admin/products/{s['productId']}/sales", admin), 200)
    ok = sales["sellableStock"] == sales["stock"] and sales["pendingOrders"] == 0
    failed += not ok
    print(f"CHECK product stock={sales['stock']} sellable={sales['sellableStock']} pending={sales['pendingOrders']} "
          f"{'PASS' if ok else 'FAIL'}")
    status = call(args.base, "POST", f"/api/coupons/{s['couponId']}/issue", token(s["holderUser"]))[0]
    ok = status == 409
    failed += not ok
    print(f"CHECK holder-before-outage claims again: {status} {'PASS' if ok else 'FAIL (expected 409)'}")
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["setup", "burst", "recover", "check"])
    parser.add_argument("--base", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--users", type=int, default=2500)
    parser.add_argument("--phase", default="-")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=60.0, help="check: seconds to wait for the coupon to settle")
    parser.add_argument("--restore", default="true", help="shell command that gives Redis back (recover)")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.base).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--base must be a loopback address")
    return {"setup": setup, "burst": burst, "recover": recover, "check": check}[args.command](args) or 0


if __name__ == "__main__":
    sys.exit(main())
