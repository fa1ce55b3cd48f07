#!/usr/bin/env python3
"""What each flow costs the database, measured (docs/scaling.md): python3 stdlib + the mariadb client.

  python3 load-tests/lb/db-cost.py --base http://127.0.0.1:19610 --db-user fs_b6 [--n 200] [--rush-seconds 20]

The service under --base must connect to MariaDB as --db-user and nothing else may: the figures are that
user's rows of information_schema.USER_STATISTICS (MariaDB's userstat=ON), read before and after each flow.
Each flow runs --n times, one request at a time, after an idle stretch of the same length whose counts
(the background jobs: relay polls, reconcilers, gauges) are subtracted. Then an order rush of
--concurrency clients for --rush-seconds gives the orders and commits per second of one primary and the
database CPU per order. Prints a markdown table.
"""
import argparse
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "local-dev-secret-change-me-0123456789abcdef"
COLUMNS = ["SELECT_COMMANDS", "UPDATE_COMMANDS", "OTHER_COMMANDS", "COMMIT_TRANSACTIONS", "ROLLBACK_TRANSACTIONS",
           "ROWS_READ", "ROWS_SENT", "ROWS_INSERTED", "ROWS_UPDATED", "ROWS_DELETED", "BUSY_TIME", "CPU_TIME",
           "BYTES_RECEIVED", "BYTES_SENT"]


def load_minter():
    sys.dont_write_bytecode = True
    spec = importlib.util.spec_from_file_location("mint_tokens", os.path.join(HERE, "..", "wrk", "mint-tokens.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mint


MINT = load_minter()
EXP = int(time.time()) + 7200


def token(user_id, admin=False):
    return MINT(SECRET.encode(), user_id, EXP, ["ADMIN"] if admin else [])


class Api:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.conn = None

    def call(self, method, path, user, body=None, admin=False, headers=None):
        h = {"Authorization": "Bearer " + token(user, admin), "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request(method, path, body=data, headers=h)
                r = self.conn.getresponse()
                raw = r.read()
                return r.status, (json.loads(raw) if raw and raw[:1] in b"{[" else None)
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt == 1:
                    raise


def stats(db_user):
    out = subprocess.run(["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", "-N", "-B", "-e",
                          "SELECT " + ",".join(COLUMNS) + " FROM information_schema.USER_STATISTICS WHERE USER = '"
                          + db_user + "'"], check=True, capture_output=True, text=True).stdout.split()
    return dict(zip(COLUMNS, (float(v) for v in out))) if out else dict.fromkeys(COLUMNS, 0.0)


def diff(after, before):
    return {k: after[k] - before[k] for k in COLUMNS}


def measure(db_user, name, n, run, baseline_per_s):
    before, started = stats(db_user), time.time()
    statuses = {}
    for i in range(n):
        status = run(i)
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.time() - started
    d = diff(stats(db_user), before)
    per = {k: (d[k] - baseline_per_s[k] * elapsed) / n for k in COLUMNS}
    return name, statuses, per


def row(name, statuses, per):
    statements = per["SELECT_COMMANDS"] + per["UPDATE_COMMANDS"] + per["OTHER_COMMANDS"]
    return ("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.1f} | {:.2f} | {:.2f} |".format(
        name, " ".join(f"{k}x{v}" for k, v in sorted(statuses.items())), statements, per["COMMIT_TRANSACTIONS"],
        per["ROWS_READ"], per["ROWS_INSERTED"], per["ROWS_UPDATED"] + per["ROWS_DELETED"], per["BUSY_TIME"] * 1000,
        per["CPU_TIME"] * 1000))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True)
    p.add_argument("--db-user", required=True)
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--rush-seconds", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=32)
    a = p.parse_args()
    api = Api(a.base)

    # fixtures: buyers (charged), a product with plenty of stock, a sold-out product, two coupon events
    buyers = []
    for i in range(20):
        _, user = api.call("POST", "/api/admin/users", 1, {"name": f"cost-{i}"}, admin=True)
        buyers.append(user["id"])
        for _ in range(3):
            api.call("POST", "/api/balance/charge", user["id"], {"amount": 100000})
    _, product = api.call("POST", "/api/admin/products", 1, {"name": "cost", "price": 10, "stock": 1000000}, admin=True)
    _, gone = api.call("POST", "/api/admin/products", 1, {"name": "cost-gone", "price": 10, "stock": 1}, admin=True)
    now = time.time()

    def iso(t):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

    def coupon(quantity):
        _, c = api.call("POST", "/api/admin/coupons", 1, {"code": "COST-" + uuid.uuid4().hex[:10], "name": "cost",
                        "discountAmount": 100, "totalQuantity": quantity, "startsAt": iso(now - 60),
                        "endsAt": iso(now + 7200), "validDays": 7}, admin=True)
        return c["id"]

    plenty, few = coupon(100000), coupon(1)
    api.call("POST", f"/api/coupons/{few}/issue", 90000000)
    api.call("POST", "/api/orders", buyers[0], {"items": [{"productId": gone["id"], "quantity": 1}]},
             headers={"Idempotency-Key": str(uuid.uuid4())})
    paid_orders = []
    time.sleep(2)

    # the background's rate, over an idle stretch
    before, t0 = stats(a.db_user), time.time()
    time.sleep(10)
    idle = diff(stats(a.db_user), before)
    baseline = {k: v / (time.time() - t0) for k, v in idle.items()}

    def order(i, product_id, keep):
        status, body = api.call("POST", "/api/orders", buyers[i % len(buyers)],
                                {"items": [{"productId": product_id, "quantity": 1}]},
                                headers={"Idempotency-Key": str(uuid.uuid4())})
        if keep and status == 201:
            paid_orders.append((body["orderId"], buyers[i % len(buyers)]))
        return status

    flows = [
        ("charge `POST /api/balance/charge`", lambda i: api.call("POST", "/api/balance/charge", buyers[i % 20], {"amount": 1000})[0]),
        ("coupon issued `POST /api/coupons/{id}/issue`", lambda i: api.call("POST", f"/api/coupons/{plenty}/issue", 91000000 + i)[0]),
        ("coupon duplicate (409)", lambda i: api.call("POST", f"/api/coupons/{plenty}/issue", 91000000 + i)[0]),
        ("coupon sold out (410)", lambda i: api.call("POST", f"/api/coupons/{few}/issue", 92000000 + i)[0]),
        ("order paid `POST /api/orders`", lambda i: order(i, product["id"], True)),
        ("order refused: out of stock (409)", lambda i: order(i, gone["id"], False)),
        ("order read `GET /api/orders/{id}`", lambda i: api.call("GET", f"/api/orders/{paid_orders[i % len(paid_orders)][0]}", paid_orders[i % len(paid_orders)][1])[0]),
        ("catalogue `GET /api/products` (cached)", lambda i: api.call("GET", "/api/products", buyers[0])[0]),
        ("balance `GET /api/balance`", lambda i: api.call("GET", "/api/balance", buyers[i % 20])[0]),
    ]
    print("| flow (one request) | answers | statements (round trips) | commits | rows read | rows inserted | rows updated/deleted | DB busy ms | DB CPU ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, run in flows:
        print(row(*measure(a.db_user, name, a.n, run, baseline)), flush=True)
    print("\nbackground (subtracted): {:.1f} statements/s, {:.2f} commits/s".format(
        baseline["SELECT_COMMANDS"] + baseline["UPDATE_COMMANDS"] + baseline["OTHER_COMMANDS"], baseline["COMMIT_TRANSACTIONS"]))

    # one primary's order throughput: concurrent buyers on one hot product
    done = {"paid": 0, "other": 0}
    lock = threading.Lock()
    stop_at = time.time() + a.rush_seconds

    def buyer(k):
        client = Api(a.base)
        while time.time() < stop_at:
            status, _ = client.call("POST", "/api/orders", buyers[k % len(buyers)],
                                    {"items": [{"productId": product["id"], "quantity": 1}]},
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
            with lock:
                done["paid" if status == 201 else "other"] += 1

    before, t0 = stats(a.db_user), time.time()
    threads = [threading.Thread(target=buyer, args=(k,)) for k in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - t0
    d = diff(stats(a.db_user), before)
    print("\norder rush, {} clients on one product for {:.1f} s: {} paid ({:.0f}/s), {} other answers; "
          "database: {:.0f} commits/s, {:.0f} statements/s, busy {:.2f} ms and CPU {:.2f} ms per paid order, "
          "CPU {:.0f}% of one core".format(
              a.concurrency, elapsed, done["paid"], done["paid"] / elapsed, done["other"],
              d["COMMIT_TRANSACTIONS"] / elapsed,
              (d["SELECT_COMMANDS"] + d["UPDATE_COMMANDS"] + d["OTHER_COMMANDS"]) / elapsed,
              d["BUSY_TIME"] * 1000 / max(1, done["paid"]), d["CPU_TIME"] * 1000 / max(1, done["paid"]),
              d["CPU_TIME"] / elapsed * 100))


if __name__ == "__main__":
    main()
