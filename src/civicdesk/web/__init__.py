"""Shared web plumbing: security headers, template context, helpers."""
