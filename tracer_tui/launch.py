"""Wiring: the boot of each mode. Heavy imports stay inside the functions, so that the
first paint of the UI does not wait for them."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tracer_tui.client.services import Boot, Services
from tracer_tui.client.store_opener import StoreOpener
from tracer_tui.config_file import peek, read_config_file
from tracer_tui.core.i18n import N_
from tracer_tui.core.types import Language, Role

if TYPE_CHECKING:
    from fastapi import FastAPI

    from tracer_tui.client.api import ApiClient
    from tracer_tui.client.card import CardBackend
    from tracer_tui.client.secrets import SecretStore
    from tracer_tui.client.store import LocalStore
    from tracer_tui.config import Settings
    from tracer_tui.eid.virtual import VirtualEid

PRACTICE_BASE_URL = "http://practice.invalid"
PRACTICE_TEAM = "practice"
PRACTICE_CASES = 24
PRACTICE_MARKER = N_("PRACTICE — fake data")
PRACTICE_CA = "Tracer Practice"
LANGUAGES = {language.value for language in Language}


def setup_logging(settings: Settings) -> None:
    """Log to the user log directory; never to the terminal the UI draws on."""
    path = settings.log.resolved_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log.level)


def _load(config: Path | None) -> Settings:
    from tracer_tui.config import load_settings

    settings = load_settings(config)
    setup_logging(settings)
    return settings


def make_boot(
    config: Path | None,
    services: Callable[[Settings], Services],
    marker: str | None = None,
) -> Boot:
    """Read the file now (a missing or unreadable file is reported before any UI), peek at
    what the first frame needs, and leave validation and services to the worker."""
    _path, data = read_config_file(config)
    language = peek(data, "ui", "language")
    return Boot(
        language=language if language in LANGUAGES else Language.EN.value,
        theme=peek(data, "ui", "theme") or "textual-dark",
        start=lambda: _start(config, services),
        marker=marker,
    )


def _start(
    config: Path | None, services: Callable[[Settings], Services]
) -> tuple[Settings, Services]:
    settings = _load(config)
    return settings, services(settings)


def agent_services(settings: Settings) -> Services:
    """The agent app against the configured central server."""

    def connect() -> ApiClient:
        import ssl

        import httpx

        from tracer_tui.client.api import ApiClient

        ca = settings.server.ca_bundle
        # The server's certificate is checked against [server] ca_bundle, else the system's
        # authorities: an unknown certificate is Unreachable (code "tls").
        verify = ssl.create_default_context(cafile=str(ca)) if ca else True
        http = httpx.AsyncClient(
            base_url=settings.server.url, timeout=settings.server.timeout, verify=verify
        )
        return ApiClient(http)

    from tracer_tui.client.secrets import KeyringSecrets

    secrets = KeyringSecrets()
    store = agent_store(settings, secrets)
    return Services(
        connect=connect,
        card=card_backend(settings),
        secrets=secrets,
        store=store,
        shutdown=store.close,
    )


def card_backend(settings: Settings) -> CardBackend:
    """``[card] backend``: readers through pcscd (filtered by ``[card] reader``), or the
    built-in virtual card (default holder, test CA of seed 0, PIN 1234: what
    ``tracer card virtual --write-root`` gives a test server to trust)."""
    from tracer_tui.client.card import PcscCardBackend, VirtualCardBackend

    if settings.card.backend == "virtual":
        from tracer_tui.eid.virtual import VirtualEid

        return VirtualCardBackend(VirtualEid.create(), pin_hint="1234")
    return PcscCardBackend(settings.card.reader or None)


def agent_store(settings: Settings, secrets: SecretStore) -> StoreOpener:
    """The agent's local store at ``[store] path``, its key kept in ``secrets`` (the system
    keyring)."""

    def open_store() -> LocalStore:
        from tracer_tui.client.store import LocalStore
        from tracer_tui.client.store_key import StoreKey

        key = StoreKey.from_secrets(secrets)
        return LocalStore.open(settings.store.resolved_path(), key=key)

    return StoreOpener(open_store)


def agent_boot(config: Path | None) -> Boot:
    return make_boot(config, agent_services)


def practice_boot(config: Path | None, *, seed: int, cases: int) -> Boot:
    def services(settings: Settings) -> Services:
        return practice_services(PracticeWorld(settings, seed=seed, cases=cases))

    return make_boot(config, services, marker=PRACTICE_MARKER)


def practice_pin(seed: int) -> str:
    """The PIN of the practice card: four digits, the same for the same seed."""
    import hashlib

    digest = hashlib.sha256(f"tracer-practice-pin:{seed}".encode()).digest()
    return f"{int.from_bytes(digest[:4], 'big') % 10_000:04d}"


@dataclass
class PracticeWorld:
    """The embedded central server of practice mode, on a throwaway SQLite database, and
    the practice agent's virtual eID card, issued by a practice CA the server trusts."""

    settings: Settings
    seed: int = 1
    role: Role = Role.AGENT
    cases: int = PRACTICE_CASES
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    directory: Path | None = None
    agent_national_number: str = ""
    _store: LocalStore | None = field(default=None, init=False, repr=False)
    card: VirtualEid | None = None

    @property
    def pin(self) -> str:
        return practice_pin(self.seed)

    def start_server(self) -> FastAPI:
        """The temporary database, the agent and the cases, the CA and the card; the app."""
        from tracer_tui.eid.personalise import Holder, personalise
        from tracer_tui.eid.testca import generate_test_ca
        from tracer_tui.eid.virtual import VirtualEid
        from tracer_tui.practice.fake import FakeWorld
        from tracer_tui.server.app import create_app
        from tracer_tui.server.db import init_db, make_engine
        from tracer_tui.server.seed import add_agent, seed_cases

        self.directory = self.directory or Path(tempfile.mkdtemp(prefix="tracer-practice-"))
        engine = make_engine(f"sqlite:///{self.directory / 'practice.sqlite3'}")
        init_db(engine)
        world = FakeWorld(self.seed, self.now)
        agent = world.agent(Language(self.settings.ui.language))
        self.agent_national_number = agent.national_number
        add_agent(
            engine,
            national_number=agent.national_number,
            display_name=agent.display_name,
            team=PRACTICE_TEAM,
            roles=[self.role],
            language=agent.language,
        )
        seed_cases(engine, world.cases(self.cases), team=PRACTICE_TEAM)
        ca = generate_test_ca(PRACTICE_CA, seed=self.seed)
        holder = Holder(
            surname=agent.last_name,
            first_names=agent.first_name,
            national_number=agent.national_number,
            language=agent.language.value,
        )
        self.card = VirtualEid(personalise(holder, ca=ca, seed=self.seed), pin=self.pin)
        roots = self.directory / "practice-root.pem"
        roots.write_bytes(ca.trust_anchors_pem)
        central = self.settings.central.model_copy(update={"db_url": "", "trusted_roots": [roots]})
        self.engine = engine
        return create_app(central, self.settings.rules, engine=engine)

    def start(self) -> ApiClient:
        import httpx

        from tracer_tui.client.api import ApiClient

        transport = httpx.ASGITransport(app=self.start_server())
        return ApiClient(httpx.AsyncClient(transport=transport, base_url=PRACTICE_BASE_URL))

    def open_store(self) -> LocalStore:
        """The practice agent's local store, in the temporary directory, sealed with a key
        that lives in memory only: never the agent's store, never the keyring."""
        from tracer_tui.client.store import LocalStore

        if self._store is None:
            self.directory = self.directory or Path(tempfile.mkdtemp(prefix="tracer-practice-"))
            self._store = LocalStore.open(self.directory / "store.sqlite3")
        return self._store

    def stop(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def practice_services(
    world: PracticeWorld, connect: Callable[[PracticeWorld], ApiClient] | None = None
) -> Services:
    """Practice mode: the real server in-process (no socket), fake cases, and the practice
    agent's virtual card in the reader, its PIN shown on the login screen. Secrets stay in
    memory: practice never touches the keyring. ``connect`` replaces ``world.start`` (tests
    put another transport between the app and the server)."""
    from tracer_tui.client.card import VirtualCardBackend
    from tracer_tui.client.secrets import MemorySecrets

    cards = VirtualCardBackend(pin_hint=world.pin)

    def start() -> ApiClient:
        client = (connect or PracticeWorld.start)(world)
        assert world.card is not None
        cards.insert(world.card)
        return client

    return Services(
        connect=start,
        card=cards,
        secrets=MemorySecrets(),
        shutdown=world.stop,
        store=StoreOpener(world.open_store),
    )
