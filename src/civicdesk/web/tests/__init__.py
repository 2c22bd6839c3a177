"""Tests of the web plumbing: security headers, cookies, static files."""
