"""Deployment helpers (the docker-compose loader); plain scripts, runnable with `python deploy/<name>.py`."""
