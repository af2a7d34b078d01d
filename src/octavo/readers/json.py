"""JSON reader: octavo's own versioned model JSON (what `octavo inspect` prints)."""

from __future__ import annotations

import dataclasses

from octavo.decoding import decode
from octavo.model import Article
from octavo.options import ReadOptions
from octavo.plugins import BUILTIN_EXTENSIONS, Source
from octavo.serialize import from_json


class JsonReader:
    name = "json"
    extensions = BUILTIN_EXTENSIONS["json"]

    def read(self, source: Source, options: ReadOptions) -> Article:
        text, _ = decode(source.data, options.encoding)
        article = from_json(text)
        changes: dict[str, object] = {}
        if article.source is None:
            changes["source"] = source.name
        if options.language:
            changes["language"] = options.language
        return dataclasses.replace(article, **changes) if changes else article
