"""Exceptions raised by genstudy.

Every error a user can cause carries a one-line message that names the parameter or
file at fault and, where it applies, the allowed values or the way to fix it. The CLI
prints that line and exits non-zero; library callers can catch the specific class.
"""

from __future__ import annotations

from collections.abc import Iterable


class GenstudyError(Exception):
    """Base class of every error genstudy raises on purpose."""


class ParameterError(GenstudyError, ValueError):
    """A run parameter has a value outside its allowed set or range."""

    def __init__(self, name: str, value: object, allowed: str | Iterable[object]) -> None:
        if not isinstance(allowed, str):
            allowed = ", ".join(repr(a) for a in allowed)
        self.name, self.value, self.allowed = name, value, allowed
        super().__init__(f"invalid {name}={value!r}; allowed: {allowed}")


class DatasetError(GenstudyError):
    """A dataset file is missing, truncated, corrupt or fails its checksum."""
