"""How to install an extra, said the same way everywhere (error messages, skips, the CLI).

The package is installed from a checkout today (``pip install -e ".[fake]"``); once released
it is ``pip install "lightly-async[fake]"``. Messages name both, so they are right either way.
"""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(*extras: str) -> str:
    """``pip install -e ".[a,b]"`` (from a checkout) or ``pip install "lightly-async[a,b]"``."""
    names = ",".join(extras)
    return (f'pip install -e ".[{names}]" from a checkout, '
            f'or pip install "lightly-async[{names}]" once released')
