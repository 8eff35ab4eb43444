#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that behaves like a network link with a fixed round-trip time, so a
local KMS-compatible server (moto_server) answers about as slowly as a real region does.

    latency_proxy.py --listen 5100 --target 5000 --delay-ms 30

Every byte is delivered half the delay after it arrived, in each direction, like a link with that
round-trip time (netem-style): a request written in several chunks (headers, then body) costs one
round trip, not one per chunk, and concurrent connections overlap as they would on a real link.
Stops by itself after --max-seconds (default 1800)."""
# Origin: a copy of the team's shared tool (shared/tools/latency_proxy.py, outside this
# repository), brought here unchanged on 2026-12-03 so that benches/peers/peers.py runs from the
# repository alone. Change it here; the shared copy is no longer read.
import argparse, asyncio, time


async def pipe(reader, writer, one_way):
    """Forward reader to writer, each chunk released one_way seconds after it arrived."""
    queue: asyncio.Queue = asyncio.Queue()

    async def receive():
        try:
            while data := await reader.read(65536):
                await queue.put((time.monotonic() + one_way, data))
        except (ConnectionError, asyncio.CancelledError):
            pass
        await queue.put((time.monotonic() + one_way, b""))

    async def deliver():
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    await asyncio.gather(receive(), deliver())


async def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--target", type=int, required=True)
    p.add_argument("--delay-ms", type=float, default=30.0, help="round-trip time added to every exchange")
    p.add_argument("--max-seconds", type=float, default=1800.0)
    a = p.parse_args()
    one_way = a.delay_ms / 2000

    async def handle(cr, cw):
        try:
            sr, sw = await asyncio.open_connection("127.0.0.1", a.target)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pipe(cr, sw, one_way), pipe(sr, cw, one_way))

    server = await asyncio.start_server(handle, "127.0.0.1", a.listen)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), a.max_seconds)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
