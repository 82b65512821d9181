"""Reusable widgets of the tracer UI."""
