"""A TCP proxy on 127.0.0.1 that breaks connections on purpose, for the sync fault tests.

Each connection, at random:

- ``reset``: closed at once with a TCP reset, nothing forwarded;
- ``lost_reply``: the request reaches the server, which handles it, then the connection is
  reset before the client sees a byte of the answer (the client cannot know it succeeded);
- ``stall``: the request reaches the server, the answer never comes back (the client times
  out);
- ``delay``: forwarded both ways after a random delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import Counter


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultyProxy:
    def __init__(
        self,
        target_port: int,
        *,
        seed: int,
        reset: float = 0.1,
        lost_reply: float = 0.1,
        stall: float = 0.1,
        max_delay: float = 0.03,
    ) -> None:
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.odds = (reset, reset + lost_reply, reset + lost_reply + stall)
        self.max_delay = max_delay
        self.counts: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._handle(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fate = self.rng.random()
        if fate < self.odds[0]:
            self.counts["reset"] += 1
            _reset(writer)
            return
        mode = "lost_reply" if fate < self.odds[1] else "stall" if fate < self.odds[2] else "delay"
        self.counts[mode] += 1
        if mode == "delay":
            await asyncio.sleep(self.rng.uniform(0, self.max_delay))
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            _reset(writer)
            return
        forward = asyncio.ensure_future(self._pipe(reader, up_writer))
        try:
            if mode == "delay":
                await self._pipe(up_reader, writer)
            elif mode == "lost_reply":
                await up_reader.read(1)  # the server has answered: it did the work
                _reset(writer)
            else:
                while await up_reader.read(65536):
                    pass
                await reader.read()  # until the client gives up
        except (OSError, asyncio.IncompleteReadError):
            _reset(writer)
        finally:
            forward.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await forward
            up_writer.transport.abort()
            writer.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()
