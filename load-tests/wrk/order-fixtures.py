#!/usr/bin/env python3
"""Fixtures of the order benchmark (python3 stdlib only): buyers, products and the sales read.

  # COUNT users created through the admin API, each charged AMOUNT KRW through the charge API (in
  # charges of at most 100,000), their JWTs written one per line in creation order
  python3 order-fixtures.py users --count 64 --charge 1000000 --out tokens.txt

  # COUNT products of price P and stock S; their ids one per line (stdout, or --out)
  python3 order-fixtures.py products --count 200 --price 10 --stock 1000000 --out products.txt

  # the admin sales of products (ids, or @file with one id per line), once they have settled
  python3 order-fixtures.py sales @products.txt --initial-stock 1000000 [--settle 15] [--min-paid 0]

"sales" polls GET /api/admin/products/{id}/sales of every product until pendingOrders is 0,
paidQuantity is at least --min-paid and nothing changed over 3 reads 0.5 s apart (at most --settle
seconds), then prints one line, summed over the products:
  SALES products=.. paidOrders=.. paidQuantity=.. pendingOrders=.. stock=.. sellableStock=..
        stockMismatches=.. settled=yes|no
stockMismatches counts the products whose sellableStock (Redis) is missing or differs from stock
(MySQL), or whose stock differs from --initial-stock - paidQuantity; the first few go to stderr.

Base URL: --base, else $BASE, else http://127.0.0.1:8080. Secret: --secret, else $SECRET, else the
service's local-profile default. Admin calls use an ADMIN token for --admin-id (1); user calls the
user's own token; tokens are minted by mint-tokens.py (same folder).
Exit codes: 0 done, 1 bad arguments, 3 the service is unreachable or answered something unexpected.
"""
import argparse
import http.client
import importlib.util
import json
import os
import random
import string
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SECRET = "local-dev-secret-change-me-0123456789abcdef"
MAX_CHARGE = 100_000      # largest single charge (SPEC section 3)
BALANCE_CAP = 10_000_000  # largest balance
TOKEN_TTL = 7200


def load_minter():
    sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
    spec = importlib.util.spec_from_file_location("mint_tokens", os.path.join(HERE, "mint-tokens.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mint


def fail(message):
    print(f"order-fixtures: {message}", file=sys.stderr)
    sys.exit(3)


class Api:
    """One kept-alive HTTP/1.1 connection to the service."""

    def __init__(self, base, secret, admin_id, timeout=10):
        url = urllib.parse.urlsplit(base.rstrip("/"))
        self.https = url.scheme == "https"
        self.host = url.hostname
        self.port = url.port or (443 if self.https else 80)
        self.prefix = url.path
        self.timeout = timeout
        self.conn = None
        self.secret = secret.encode("utf-8")
        self.exp = int(time.time()) + TOKEN_TTL
        self.mint = load_minter()
        self.admin_token = self.mint(self.secret, admin_id, self.exp, ["ADMIN"])

    def user_token(self, user_id):
        return self.mint(self.secret, user_id, self.exp, [])

    def call(self, method, path, token, body=None, expect=200, refusals_left=30):
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "Authorization": "Bearer " + token}
        if data is not None:
            headers["Content-Type"] = "application/json"
        # a GET may be retried once on a new connection; a POST never (it could be applied twice)
        attempts = 2 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            try:
                if self.conn is None:
                    cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
                    self.conn = cls(self.host, self.port, timeout=self.timeout)
                self.conn.request(method, self.prefix + path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, OSError) as e:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == attempts:
                    fail(f"{method} {path} failed (is the service up?): {e!r}")
        # refused before anything was done (429 RATE_LIMITED, 503 OVERLOADED), or a backend unavailable for a
        # moment (503 SERVICE_UNAVAILABLE, e.g. the database breaker of a starting instance): wait as told and
        # send again. A setup call applied twice only leaves an extra user or product, or more balance, which
        # no caller of these fixtures checks
        refused = response.status == 429 or response.status == 503
        if response.status != expect and refused and refusals_left > 0:
            time.sleep(min(5.0, float(response.getheader("Retry-After") or "1")))
            return self.call(method, path, token, body, expect, refusals_left - 1)
        if response.status != expect:
            fail(f"{method} {path} answered {response.status} (expected {expect}): "
                 f"{raw[:500].decode('utf-8', 'replace')}")
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            fail(f"{method} {path}: not JSON: {raw[:200]!r}")


def random_suffix():
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=10))


def write_lines(path, lines):
    out = sys.stdout if path == "-" else open(path, "w", encoding="ascii", newline="\n")
    try:
        out.write("".join(f"{line}\n" for line in lines))
    finally:
        if out is not sys.stdout:
            out.close()


def cmd_users(api, args):
    if args.charge % 1000 != 0 or not 1000 <= args.charge <= BALANCE_CAP:
        raise SystemExit("--charge must be a multiple of 1,000 between 1,000 and 10,000,000 KRW")
    name = args.name or "wrk-order-" + random_suffix()
    ids, tokens = [], []
    for i in range(args.count):
        user = api.call("POST", "/api/admin/users", api.admin_token, {"name": f"{name}-{i}"}, expect=201)
        user_id = int(user["id"])
        token = api.user_token(user_id)
        left = args.charge
        while left > 0:
            amount = min(left, MAX_CHARGE)
            api.call("POST", "/api/balance/charge", token, {"amount": amount}, expect=200)
            left -= amount
        ids.append(user_id)
        tokens.append(token)
    write_lines(args.out, tokens)
    if args.ids_out:
        write_lines(args.ids_out, ids)
    print(f"created {len(ids)} user(s) {ids[0]}..{ids[-1]}, each charged {args.charge} KRW"
          + ("" if args.out == "-" else f" -> {args.out}"), file=sys.stderr)


def cmd_products(api, args):
    name = args.name or "wrk-order-" + random_suffix()
    ids = []
    for i in range(args.count):
        product = api.call("POST", "/api/admin/products", api.admin_token,
                           {"name": f"{name}-{i}", "price": args.price, "stock": args.stock}, expect=201)
        ids.append(int(product["id"]))
    write_lines(args.out, ids)
    print(f"created {len(ids)} product(s) {ids[0]}..{ids[-1]}, price {args.price} KRW, stock {args.stock}",
          file=sys.stderr)


def product_ids(specs):
    ids = []
    for spec in specs:
        if spec.startswith("@"):
            with open(spec[1:], encoding="ascii") as f:
                ids.extend(int(line) for line in f if line.strip())
        else:
            ids.extend(int(part) for part in spec.split(",") if part.strip())
    if not ids:
        raise SystemExit("no product ids given")
    return ids


def read_sales(api, ids, initial_stock):
    total = {"paidOrders": 0, "paidQuantity": 0, "pendingOrders": 0, "stock": 0, "sellableStock": 0}
    mismatches = []
    for product_id in ids:
        sales = api.call("GET", f"/api/admin/products/{product_id}/sales", api.admin_token)
        for field in ("paidOrders", "paidQuantity", "pendingOrders", "stock"):
            if not isinstance(sales.get(field), int):
                fail(f"sales of product {product_id} have no numeric {field}: {sales}")
            total[field] += sales[field]
        sellable = sales.get("sellableStock")
        if isinstance(sellable, int):
            total["sellableStock"] += sellable
        if sellable != sales["stock"] or sales["stock"] != initial_stock - sales["paidQuantity"]:
            mismatches.append(sales)
    return total, mismatches


def cmd_sales(api, args):
    ids = product_ids(args.ids)
    deadline = time.monotonic() + args.settle
    previous, stable = None, 0
    while True:
        total, mismatches = read_sales(api, ids, args.initial_stock)
        state = (tuple(sorted(total.items())), len(mismatches))
        stable = stable + 1 if state == previous else 0
        previous = state
        settled = total["pendingOrders"] == 0 and total["paidQuantity"] >= args.min_paid and stable >= 2
        if settled or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    for sales in mismatches[:5]:
        print(f"order-fixtures: stock mismatch (initial stock {args.initial_stock}): {sales}", file=sys.stderr)
    print("SALES products=%d paidOrders=%d paidQuantity=%d pendingOrders=%d stock=%d sellableStock=%d "
          "stockMismatches=%d settled=%s" % (len(ids), total["paidOrders"], total["paidQuantity"],
                                             total["pendingOrders"], total["stock"], total["sellableStock"],
                                             len(mismatches), "yes" if settled else "no"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=os.environ.get("BASE", "http://127.0.0.1:8080"), help="service root")
    parser.add_argument("--secret", default=os.environ.get("SECRET", DEFAULT_SECRET),
                        help="HS256 secret as a UTF-8 string (default: $SECRET or the local default)")
    parser.add_argument("--admin-id", type=int, default=1, help="sub of the admin token (default 1)")
    sub = parser.add_subparsers(dest="command", required=True)

    users = sub.add_parser("users", help="create and charge users, write their tokens")
    users.add_argument("--count", type=int, required=True)
    users.add_argument("--charge", type=int, required=True, help="KRW per user, a multiple of 1,000")
    users.add_argument("--out", default="-", help="token file, '-' = stdout (default)")
    users.add_argument("--ids-out", help="also write the user ids, one per line")
    users.add_argument("--name", help="name prefix (default wrk-order-<random>)")

    products = sub.add_parser("products", help="create products, print their ids")
    products.add_argument("--count", type=int, default=1)
    products.add_argument("--price", type=int, required=True, help="KRW")
    products.add_argument("--stock", type=int, required=True)
    products.add_argument("--out", default="-", help="id file, '-' = stdout (default)")
    products.add_argument("--name", help="name prefix (default wrk-order-<random>)")

    sales = sub.add_parser("sales", help="settled admin sales of products, summed")
    sales.add_argument("ids", nargs="+", help="product ids, comma-separated, or @file")
    sales.add_argument("--initial-stock", type=int, required=True, help="stock each product was created with")
    sales.add_argument("--settle", type=float, default=15, help="max seconds to wait (default 15)")
    sales.add_argument("--min-paid", type=int, default=0, help="wait for paidQuantity >= this (default 0)")

    args = parser.parse_args()
    for name in ("count",):
        if getattr(args, name, 1) < 1:
            parser.error(f"--{name} must be >= 1")
    api = Api(args.base, args.secret, args.admin_id)
    {"users": cmd_users, "products": cmd_products, "sales": cmd_sales}[args.command](api, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
