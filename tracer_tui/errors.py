"""The base of every error a user caused and can fix (bad config, bad file, bad argument).

Light on purpose: the CLI imports it before anything else, and catches it to print one line
and exit with code 2.
"""


class UserError(Exception):
    """A problem told to the user in one line; never a traceback."""
