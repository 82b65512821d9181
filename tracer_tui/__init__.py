"""tracer: the contact-tracing call-centre terminal application and its central server."""

__version__ = "0.1.0"
