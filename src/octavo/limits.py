"""Limits that bound the work one input can cause; each can be raised by an environment variable.

Hostile or accidental inputs (a 50 MB file, a page nested 50,000 levels deep, an image that
claims 30,000 x 30,000 pixels) must finish quickly, converted or refused with a clear error.
The defaults are documented in docs/limits.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        return default
    return number if number > 0 else default


@dataclass(frozen=True, slots=True)
class Limits:
    max_input_bytes: int
    """Inputs larger than this are refused before reading (OCTAVO_MAX_INPUT_MB)."""
    max_pdf_characters: int
    """Text longer than this is refused by the PDF writer: it would be thousands of pages
    (OCTAVO_MAX_PDF_CHARACTERS)."""
    max_image_pixels: int
    """Images with more pixels than this are refused, whatever their file size
    (OCTAVO_MAX_IMAGE_PIXELS)."""
    max_nesting: int
    """Block nesting deeper than this (quotes in lists in quotes ...) is flattened
    (OCTAVO_MAX_NESTING)."""


def current() -> Limits:
    """The limits in force now (read from the environment at each call, so tests can set them)."""
    return Limits(
        max_input_bytes=_env_int("OCTAVO_MAX_INPUT_MB", 64) * 1024 * 1024,
        max_pdf_characters=_env_int("OCTAVO_MAX_PDF_CHARACTERS", 3_000_000),
        max_image_pixels=_env_int("OCTAVO_MAX_IMAGE_PIXELS", 40_000_000),
        max_nesting=_env_int("OCTAVO_MAX_NESTING", 32),
    )
