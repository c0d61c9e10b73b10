"""Prefetch: render templates, use what the client sent, fetch what is missing."""
