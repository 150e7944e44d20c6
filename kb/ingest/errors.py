"""Problems found in content files, as values.

The loader collects every problem instead of stopping at the first, so an
editor sees the whole list at once (STYLE.md: errors are values).
"""
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError:
    path: str
    line: int | None
    message: str
    level: str = "error"  # "error" blocks a load; "warning" does not
    code: str = ""        # a warning's kind, e.g. "orphan" (kb/ingest/warnings.py)

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    @property
    def is_error(self):
        return self.level == "error"

    def sort_key(self):
        """By file, then line (a whole-file problem first), errors before warnings."""
        return (self.path, self.line or 0, self.level != "error", self.message)


class ContentInvalid(Exception):
    """Raised by the loader when errors stop a load; carries all of them."""

    def __init__(self, errors):
        self.errors = sorted(errors, key=ContentError.sort_key)
        super().__init__(f"{len(self.errors)} error(s) in content")
