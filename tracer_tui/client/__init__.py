"""Client side: the API client, login flow, local store and sync (no Textual here)."""
