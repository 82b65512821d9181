"""Practice mode: fake people and cases for training and for seeding the central server."""

from tracer_tui.practice.fake import FakeAgent, FakeWorld

__all__ = ["FakeAgent", "FakeWorld"]
