"""octavo: articles in, EPUB and PDF out.

    import octavo
    octavo.convert("article.txt", to=["epub", "pdf"], output_dir="out")
    article = octavo.read("post.md"); octavo.write(article, "post.pdf")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Article", "Book", "ConversionResult", "OctavoError", "Overrides", "ReadOptions",
    "WriteOptions", "bind", "convert", "convert_many", "read", "write", "__version__",
]

_LAZY = {
    "read": "octavo.api", "write": "octavo.api", "convert": "octavo.api",
    "Overrides": "octavo.api", "ConversionResult": "octavo.api",
    "bind": "octavo.batch", "convert_many": "octavo.batch",
    "Article": "octavo.model", "Book": "octavo.model",
    "OctavoError": "octavo.errors",
    "ReadOptions": "octavo.options", "WriteOptions": "octavo.options",
}

if TYPE_CHECKING:
    from octavo.api import ConversionResult, Overrides, convert, read, write
    from octavo.batch import bind, convert_many
    from octavo.errors import OctavoError
    from octavo.model import Article, Book
    from octavo.options import ReadOptions, WriteOptions


def __getattr__(name: str) -> Any:
    # Lazy: `import octavo` must not pull in readers, writers or their libraries.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'octavo' has no attribute {name!r}")
