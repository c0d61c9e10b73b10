"""Guideline statements by clinical topic: each sentence of a source document the service relies on, once."""
