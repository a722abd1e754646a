"""Errors raised by critmin.

Every error names the bad value and says how to fix it.  The tree::

    CritminError                     base of everything critmin raises on purpose
    ├── DataError                    a source file or user file cannot be read as documented
    │   └── ParseError               a cell, row or column is malformed (file, row, column named)
    ├── UnknownNameError             a name did not resolve (suggests the nearest ones)
    │   ├── UnknownCommodity
    │   ├── UnknownCountry
    │   └── UnknownGroup
    ├── StoreError                   the packaged dataset or the workspace is missing or broken
    │   └── ImportRejected           a user import failed validation; nothing was written
    ├── NoData                       a query matched nothing; the message says what exists
    ├── MethodError                  a method got inputs it cannot use (empty, negative, misaligned)
    ├── ScenarioError                a scenario spec is invalid
    └── ResourceLimitError           a run would need more memory than the machine has free

Values echoed in messages are cut to their first :data:`ECHO_CHARS` characters
(:func:`shorten`), so a 10,000-character name gives a one-line message.

All subclass :class:`CritminError`, which subclasses :class:`ValueError`, so code that
already catches ``ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "CritminError",
    "DataError",
    "ImportRejected",
    "MethodError",
    "NoData",
    "ParseError",
    "ResourceLimitError",
    "ScenarioError",
    "StoreError",
    "UnknownCommodity",
    "UnknownCountry",
    "UnknownGroup",
    "UnknownNameError",
    "nearest",
    "shorten",
]

#: Characters of a user's value that error messages echo (the rest becomes '…').
ECHO_CHARS = 40


def shorten(value: object, limit: int = ECHO_CHARS) -> str:
    """Return ``repr(value)`` for a message, cut to `limit` characters of the value plus '…'.

    Examples
    --------
    >>> shorten("lithium")
    "'lithium'"
    >>> shorten("x" * 100, 5)
    "'xxxxx…'"
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(value)
    cut = text[:limit] + "…"
    return repr(cut) if isinstance(value, str) else cut


class CritminError(ValueError):
    """Base class of all errors critmin raises on purpose."""


class DataError(CritminError):
    """A file cannot be read as its documented format."""


class ParseError(DataError):
    """A malformed cell, row or column in a file.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str, optional
        The file.
    row : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        The column name.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path, self.row, self.column = path, row, column
        where = []
        if path is not None:
            where.append(f"file {path}")
        if row is not None:
            where.append(f"line {row}")
        if column is not None:
            where.append(f"column {column!r}")
        prefix = (", ".join(where) + ": ") if where else ""
        super().__init__(prefix + message)


def nearest(name: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """Return up to `n` candidates closest to `name` (case-insensitive).

    Substring matches come first, then :func:`difflib.get_close_matches`.
    """
    cands = sorted(set(candidates))
    low = {c.lower(): c for c in cands}
    key = name.strip().lower()[:200]  # a very long value matches nothing; keep it cheap
    subs = [c for c in cands if key and (key in c.lower() or c.lower() in key)]
    close = difflib.get_close_matches(key, list(low), n=n, cutoff=0.5)
    out: list[str] = []
    for c in subs + [low[k] for k in close]:
        if c not in out:
            out.append(c)
    return out[:n]


class UnknownNameError(CritminError, KeyError):
    """A user-supplied name did not resolve; the message lists the nearest known names."""

    kind = "name"
    hint = ""

    def __init__(self, name: str, candidates: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = nearest(str(name), candidates)
        msg = f"unknown {self.kind} {shorten(name)}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        if self.hint:
            msg += f" {self.hint}"
        self.message = msg
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class UnknownCommodity(UnknownNameError):
    """A commodity name, alias or element did not resolve."""

    kind = "commodity"
    hint = "Run `critmin commodities` to list every commodity and its aliases."


class UnknownCountry(UnknownNameError):
    """A country name or code did not resolve to ISO3."""

    kind = "country"
    hint = "Use an ISO3 code (e.g. 'IND') or a name as in `critmin.countries()`."


class UnknownGroup(UnknownNameError):
    """A country-group id did not resolve."""

    kind = "country group"
    hint = "Known groups are listed by `critmin.groups()`."


class StoreError(CritminError):
    """The packaged dataset or the user workspace is missing or inconsistent."""


class ImportRejected(StoreError):
    """A user import failed validation; the workspace was left unchanged."""


class NoData(CritminError):
    """A query matched no rows; the message names what the dataset does hold."""


class MethodError(CritminError):
    """A method was given inputs it cannot use."""


class ScenarioError(CritminError):
    """A scenario specification is invalid."""


class ResourceLimitError(CritminError):
    """A run would need more memory than is free; the message gives the estimate and the fix."""
