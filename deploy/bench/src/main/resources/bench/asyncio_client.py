"""Reference SSE client for `arena bench probe`: Python asyncio streams, standard library only.

Usage: python3 asyncio_client.py HOST PORT PATH STREAMS BODY_FILE [RAMP_MS]
Opens STREAMS connections at once (or, with RAMP_MS > 0, stream i at i/STREAMS of the ramp), POSTs BODY_FILE to each (Connection: close), decodes the
chunked body and the SSE events, parses each event's JSON like the Java client does, and stamps
every token-bearing event with time.monotonic_ns() (CLOCK_MONOTONIC, the clock of the server's
System.nanoTime()) when its chunk is read. Prints one JSON object: per-stream readings and the
CPU time of this process over the streaming (time.process_time, interpreter start excluded).
"""
import asyncio
import json
import sys
import time

MAX_LINE = 1 << 20


async def one(host, port, path, body, delay_s):
    if delay_s > 0:
        await asyncio.sleep(delay_s)
    start = time.monotonic_ns()
    reader, writer = await asyncio.open_connection(host, port, limit=MAX_LINE)
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Accept: text/event-stream\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n")
    writer.write(head.encode("ascii") + body)
    await writer.drain()
    status = await reader.readline()
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
            chunked = True
    rid, first, last, n, done = None, None, None, 0, False
    pending = b""
    while True:
        if chunked:
            size_line = await reader.readline()
            if not size_line:
                break
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                break
            data = await reader.readexactly(size + 2)
            data = data[:-2]
        else:
            data = await reader.read(65536)
            if not data:
                break
        now = time.monotonic_ns()
        pending += data
        while b"\n\n" in pending:
            event, pending = pending.split(b"\n\n", 1)
            for line in event.split(b"\n"):
                if not line.startswith(b"data:"):
                    continue
                payload = line[5:].strip()
                if payload == b"[DONE]":
                    done = True
                    continue
                obj = json.loads(payload)
                rid = rid or obj.get("id")
                for choice in obj.get("choices") or []:
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        if first is None:
                            first = now
                        last = now
                        n += 1
    writer.close()
    return {"id": rid, "status": status.decode("latin-1").strip(), "start": start, "first": first,
            "last": last, "tokens": n, "done": done}


async def main():
    host, port, path, streams, body_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    ramp_s = (float(sys.argv[6]) if len(sys.argv) > 6 else 0.0) / 1000.0
    with open(body_file, "rb") as f:
        body = f.read()
    cpu0 = time.process_time()
    results = await asyncio.gather(*(one(host, port, path, body, ramp_s * i / streams) for i in range(streams)),
                                   return_exceptions=True)
    cpu1 = time.process_time()
    out = [r if isinstance(r, dict) else {"error": repr(r)} for r in results]
    print(json.dumps({"cpu_ms": (cpu1 - cpu0) * 1000.0, "streams": out}))


if __name__ == "__main__":
    asyncio.run(main())
