"""The package's version: the one place it is written (``pyproject.toml`` reads it from here).

A constant, so that a session's ``User-Agent`` needs no ``importlib.metadata`` (which loads
the email package and reads the installed distribution's files).
"""

__version__ = "0.1.0"
