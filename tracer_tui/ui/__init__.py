"""The Textual user interface. Built by :func:`tracer_tui.ui.app.make_app` for every mode."""
