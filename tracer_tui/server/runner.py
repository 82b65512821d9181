"""``tracer server run``: the central server under uvicorn.

The development login is never enabled here: a real server logs agents in with their card.
"""

from __future__ import annotations

import uvicorn

from tracer_tui.config import CentralConfig
from tracer_tui.core.rules import Rules
from tracer_tui.server.app import create_app


def run(central: CentralConfig, rules: Rules, *, host: str, port: int) -> None:
    """Serve the API on host:port until interrupted."""
    app = create_app(central, rules, allow_dev_login=False)
    uvicorn.run(app, host=host, port=port, server_header=False, date_header=True)
