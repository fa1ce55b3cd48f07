#!/usr/bin/env python3
"""Holds many idle order status streams open (python3 stdlib only): the client side of bench-streams.sh.

  python3 sse-clients.py --orders orders.txt --token TOKEN --count 1000 --hold 60 [--base http://127.0.0.1:8080]

Opens --count streams GET /api/orders/{id}/events (order ids from --orders, one per line, used in turn),
each on its own connection, 100 at a time; a stream counts as open once its first order-status event
arrived. Prints "READY open=N failed=M" when all were tried, then holds them for --hold seconds, reading
heartbeats, and prints "DONE open=N heartbeats=H closed_early=C" before closing them. Loopback only.
"""
import argparse
import asyncio
import sys
import urllib.parse


async def stream(host, port, order_id, token, state, hold_until):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except Exception:
        state["failed"] += 1
        return
    opened = False
    loop = asyncio.get_running_loop()
    try:
        writer.write((f"GET /api/orders/{order_id}/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 15)
        if b" 200 " not in status:
            state["failed"] += 1
            return
        while not opened or loop.time() < hold_until():
            # an open stream gets a heartbeat every 15 s; 30 s of silence is a failure
            line = await asyncio.wait_for(reader.readline(), 30 if opened else 15)
            if not line:
                state["closed_early" if opened else "failed"] += 1
                return
            if line.startswith(b"event:") and b"order-status" in line and not opened:
                opened = True
                state["open"] += 1
            elif line.startswith(b":"):
                state["heartbeats"] += 1
    except Exception:
        state["closed_early" if opened else "failed"] += 1
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--orders", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--hold", type=float, default=60)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        print("loopback only", file=sys.stderr)
        return 1
    with open(args.orders) as f:
        orders = [line.strip() for line in f if line.strip()]
    state = {"open": 0, "failed": 0, "heartbeats": 0, "closed_early": 0}
    loop = asyncio.get_running_loop()
    end = {"at": float("inf")}
    tasks = []
    for i in range(args.count):
        tasks.append(asyncio.create_task(
            stream(url.hostname, url.port or 80, orders[i % len(orders)], args.token, state, lambda: end["at"])))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    # every stream either opened or failed
    while state["open"] + state["failed"] < args.count:
        await asyncio.sleep(0.1)
    print(f"READY open={state['open']} failed={state['failed']}", flush=True)
    end["at"] = loop.time() + args.hold
    await asyncio.gather(*tasks, return_exceptions=True)
    print(f"DONE open={state['open']} heartbeats={state['heartbeats']} closed_early={state['closed_early']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
