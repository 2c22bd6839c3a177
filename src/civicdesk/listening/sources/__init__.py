"""Live sources of listening streams: each module turns its own payloads into the post dicts of ingest()."""
