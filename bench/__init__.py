"""Benchmark of the CDS service against the physical floor (a FastAPI app that only parses the JSON body).

Run it with `.venv/bin/python -m bench` (see `--help`); results go to the screen and to bench/results/.
"""
