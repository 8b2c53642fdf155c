"""Tests of the sandbox, over real HTTP against `python -m sandbox` started as a server."""
