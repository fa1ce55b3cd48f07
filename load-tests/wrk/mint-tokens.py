#!/usr/bin/env python3
"""Mint HS256 JWTs for the flash-sale service, one per line (python3 stdlib only).

User tokens carry distinct numeric user ids: start, start+1, ..., start+count-1.

  python3 mint-tokens.py --count 150000 --start 1000000 --out tokens.txt
  python3 mint-tokens.py --admin --start 1 --count 1          # one admin token on stdout

Claims: sub = user id as a string, exp = now + ttl (epoch seconds), roles = [] or ["ADMIN"].
Secret: --secret, else $SECRET, else the service's local-profile default.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time

DEFAULT_SECRET = "local-dev-secret-change-me-0123456789abcdef"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


HEADER = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


def mint(secret: bytes, user_id: int, exp: int, roles) -> str:
    claims = {"sub": str(user_id), "exp": exp, "roles": roles}
    signing_input = HEADER + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000, help="number of tokens (default 1000)")
    parser.add_argument("--start", type=int, default=1_000_000, help="first user id (default 1000000)")
    parser.add_argument("--out", default="-", help="output file, '-' = stdout (default)")
    parser.add_argument("--secret", default=os.environ.get("SECRET", DEFAULT_SECRET),
                        help="HS256 secret as a UTF-8 string (default: $SECRET or the local default)")
    parser.add_argument("--ttl", type=int, default=7200, help="seconds until exp (default 7200)")
    parser.add_argument("--admin", action="store_true", help='roles ["ADMIN"] instead of []')
    args = parser.parse_args()

    if args.count < 1:
        parser.error("--count must be >= 1")
    if args.start < 1:
        parser.error("--start must be a positive user id")
    if args.ttl < 1:
        parser.error("--ttl must be >= 1")

    secret = args.secret.encode("utf-8")
    exp = int(time.time()) + args.ttl
    roles = ["ADMIN"] if args.admin else []

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="ascii", newline="\n")
    try:
        chunk = []
        for user_id in range(args.start, args.start + args.count):
            chunk.append(mint(secret, user_id, exp, roles))
            if len(chunk) == 10_000:
                out.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            out.write("\n".join(chunk) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if args.out != "-":
        print(f"minted {args.count} token(s) for user ids {args.start}..{args.start + args.count - 1} "
              f"-> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
