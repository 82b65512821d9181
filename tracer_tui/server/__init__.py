"""The central server: FastAPI app factory, tables, routes, assignment, audit, seeding.

Entry points: :func:`tracer_tui.server.app.create_app`, :mod:`tracer_tui.server.db`
(``make_engine``, ``init_db``), :mod:`tracer_tui.server.seed` and
:func:`tracer_tui.server.runner.run`. Importing this package creates nothing.
"""
