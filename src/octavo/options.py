"""Options that flow from the CLI or API into readers and writers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PAGE_SIZES = ("a4", "letter", "a5", "ereader")
"""Page sizes the PDF writer knows; "ereader" is a 6-inch screen (90 x 122 mm)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadOptions:
    """How readers read: language, encoding and where images may come from."""

    language: str | None = None
    """Use this BCP 47 tag instead of detecting the language."""
    encoding: str | None = None
    """Decode text with this encoding instead of detecting it."""
    base_dir: Path | None = None
    """Folder that relative image references resolve against (the input's folder)."""
    allowed_dirs: tuple[Path, ...] = ()
    """Further folders images may be read from; nothing outside base_dir otherwise."""
    fetch_remote: bool = False
    """Download remote images (off by default: conversion stays offline and private)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteOptions:
    """How writers write: page size, typography, cover and timestamp."""

    page_size: str = "a4"
    """PDF page size: one of PAGE_SIZES."""
    hyphenate: bool = True
    typography: bool = True
    """Language-aware quotes, dashes and spaces."""
    cover: bool = True
    """Generate a cover image (EPUB)."""
    modified: datetime | None = None
    """Timestamp written as the modification date; None means now (or SOURCE_DATE_EPOCH)."""
