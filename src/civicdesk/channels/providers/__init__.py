"""One package per provider: its adapter, its local protocol stand-in and its fixtures."""
