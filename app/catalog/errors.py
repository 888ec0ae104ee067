"""Errors of the questionnaire catalog: every problem of a file at once, with its location."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file.

    Attributes:
        location: Where in the file, as a path (``questions[12].priority``) or a cell
            (``sheet Questions, row 7, column Weight``); empty for the whole file.
        message: What is wrong, in words a content author understands.
        line: The 1-based line of a YAML file, when known.
    """

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        at_line = f" (line {self.line})" if self.line else ""
        return f"{where}{self.message}{at_line}"


class CatalogError(Exception):
    """A questionnaire file (or the set of them) cannot be used; lists every problem found.

    Args:
        source: The file name the problems belong to.
        problems: Every problem found, in file order.
        separator: What joins the file name to a location: ``": "`` for YAML paths,
            ``", "`` for spreadsheet cells (``file.xlsx, sheet S, row 7, column Weight``).
    """

    def __init__(self, source: str, problems: list[Problem], *, separator: str = ": ") -> None:
        self.source = source
        self.problems = list(problems)
        self.separator = separator
        super().__init__(str(self))

    def lines(self) -> list[str]:
        """Return one line per problem, each starting with the file name."""
        lines = []
        for problem in self.problems:
            sep = self.separator if problem.location else ": "
            lines.append(f"{self.source}{sep}{problem}")
        return lines

    def summary(self) -> str:
        """Return one line: the file, the number of problems and the first of them."""
        count = len(self.problems)
        if count == 1:
            return self.lines()[0]
        return f"{self.source}: {count} problems, first: {self.lines()[0]}"

    def __str__(self) -> str:
        return "\n".join(self.lines()) or f"{self.source}: invalid"


class UnknownIdError(LookupError):
    """A framework, question or node id that the catalog does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown id"
