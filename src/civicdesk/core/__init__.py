"""Cross-cutting helpers that import only Django: jobs enqueued by task name."""
