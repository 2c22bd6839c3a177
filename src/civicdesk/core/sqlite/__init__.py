"""SQLite backend for the ASGI server: Django's, with the connections of one process kept open and reused."""
