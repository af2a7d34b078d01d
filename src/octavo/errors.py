"""One exception hierarchy: every message says what went wrong, where, and what to do."""

from __future__ import annotations

from typing import ClassVar


class OctavoError(Exception):
    """Base of every error octavo raises on purpose; anything else is a bug."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, *, source: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.hint = hint

    def with_source(self, source: str) -> OctavoError:
        if self.source is None:
            self.source = source
        return self

    def __str__(self) -> str:
        text = f"{self.source}: {self.message}" if self.source else self.message
        return f"{text} — {self.hint}" if self.hint else text


class InputError(OctavoError):
    """The input cannot be read: unknown format, undecodable, empty, malformed."""

    exit_code = 1


class UnknownFormatError(InputError):
    pass


class DecodeError(InputError):
    pass


class EmptyInputError(InputError):
    pass


class OptionError(OctavoError):
    """A bad option value: the command line or API call itself is wrong."""

    exit_code = 2


class OutputError(OctavoError):
    """The output cannot be written where it was asked for."""

    exit_code = 1


class PluginError(OctavoError):
    """A reader or writer plugin is missing, broken or registered twice."""

    exit_code = 1


class WriterError(OctavoError):
    """A writer could not turn a valid model into its format."""

    exit_code = 1


class ModelError(OctavoError):
    """A reader built an invalid model; a bug in that reader, or an override that breaks a rule."""

    exit_code = 1
