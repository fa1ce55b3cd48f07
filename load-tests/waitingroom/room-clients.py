#!/usr/bin/env python3
"""Waiting clients of a waiting room (python3 stdlib only): the client side of bench-room-memory.sh.

  python3 room-clients.py --room 7 --tokens tokens.txt --count 1000 --hold 30 [--base http://127.0.0.1:8080]

Each of --count users (one JWT per line of --tokens, in turn) takes a ticket of room --room
(POST /api/waiting-room/{room}/tickets) and opens its events (GET .../tickets/{ticket}/events) on a
connection of its own, 100 at a time; a client counts as waiting once its first position event arrived.
Prints "READY waiting=N failed=M" when all were tried, holds them --hold seconds reading their events
(a room that has not opened sends only heartbeats), then prints "DONE waiting=N closed_early=C admitted=A"
and closes them. Loopback only.
"""
import argparse
import asyncio
import json
import sys
import urllib.parse


async def request(host, port, method, path, token, body=b""):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    writer.write((f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 15)
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload


async def client(host, port, room, token, state, hold_until):
    try:
        status, payload = await request(host, port, "POST", f"/api/waiting-room/{room}/tickets", token)
        if status not in (200, 201):
            state["failed"] += 1
            return
        ticket = json.loads(payload)["ticketId"]
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except Exception:
        state["failed"] += 1
        return
    waiting = False
    loop = asyncio.get_running_loop()
    try:
        writer.write((f"GET /api/waiting-room/{room}/tickets/{ticket}/events HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n").encode())
        await writer.drain()
        if b" 200 " not in await asyncio.wait_for(reader.readline(), 15):
            state["failed"] += 1
            return
        while not waiting or loop.time() < hold_until():
            # a heartbeat comes every 15 s; 30 s of silence is a failure
            line = await asyncio.wait_for(reader.readline(), 30 if waiting else 15)
            if not line:
                state["closed_early" if waiting else "failed"] += 1
                return
            if line.startswith(b"event:admitted"):
                state["admitted"] += 1
            if line.startswith(b"event:position") and not waiting:
                waiting = True
                state["waiting"] += 1
    except Exception:
        state["closed_early" if waiting else "failed"] += 1
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--room", required=True)
    parser.add_argument("--tokens", required=True)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=30)
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.base)
    if url.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("loopback only")
    with open(args.tokens) as f:
        tokens = [line.strip() for line in f if line.strip()]
    state = {"waiting": 0, "failed": 0, "closed_early": 0, "admitted": 0}
    hold = {"until": float("inf")}
    tasks = []
    for i in range(args.count):
        tasks.append(asyncio.create_task(client(url.hostname, url.port, args.room, tokens[i % len(tokens)], state,
                                                lambda: hold["until"])))
        if i % 100 == 99:
            await asyncio.sleep(0.2)
    loop = asyncio.get_running_loop()
    while state["waiting"] + state["failed"] < args.count:
        await asyncio.sleep(0.2)
    print(f"READY waiting={state['waiting']} failed={state['failed']}", flush=True)
    hold["until"] = loop.time() + args.hold
    await asyncio.gather(*tasks)
    print(f"DONE waiting={state['waiting']} closed_early={state['closed_early']} admitted={state['admitted']}",
          flush=True)


if __name__ == "__main__":
    asyncio.run(main())
