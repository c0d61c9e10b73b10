"""Feedback on cards: one store interface, SQLite by default, PostgreSQL for several replicas."""
