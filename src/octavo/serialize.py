"""The model as versioned JSON: {"octavo-model": 1, "article": {...}}.

Nodes are tagged objects {"t": "Paragraph", ...fields}; bytes are base64; dates ISO 8601.
`from_json(to_json(a)) == a` for every valid article (a property test checks it).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import date
from typing import Any

from octavo import model
from octavo.errors import InputError, ModelError

MODEL_VERSION = 1
VERSION_KEY = "octavo-model"

_NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        model.Text, model.Emphasis, model.Strong, model.Code, model.Link, model.Quoted,
        model.LineBreak, model.Superscript, model.Subscript, model.Note, model.Image,
        model.Paragraph, model.Heading, model.BlockQuote, model.ListBlock, model.CodeBlock,
        model.Table, model.Figure, model.SectionBreak,
    )
}


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"t": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = _encode(getattr(value, f.name))
        return out
    return value


def article_to_dict(article: model.Article) -> dict[str, Any]:
    fields = _encode(article)
    del fields["t"]
    return {VERSION_KEY: MODEL_VERSION, "article": fields}


def to_json(article: model.Article, *, indent: int | None = 2) -> str:
    return json.dumps(article_to_dict(article), ensure_ascii=False, indent=indent)


class _Bad(Exception):
    pass


def _tuple(value: Any, item: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise _Bad(f"expected a list, got {type(value).__name__}")
    return tuple(item(v) for v in value)


def _node(value: Any) -> Any:
    if not isinstance(value, dict) or value.get("t") not in _NODE_TYPES:
        raise _Bad(f"expected a tagged node, got {str(value)[:60]!r}")
    cls = _NODE_TYPES[value["t"]]
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in value:
            continue
        kwargs[f.name] = _field(cls, f.name, value[f.name])
    return cls(**kwargs)


def _inlines(value: Any) -> tuple[Any, ...]:
    return _tuple(value, _node)


def _field(cls: type, name: str, value: Any) -> Any:
    if cls is model.Image and name == "data":
        if not isinstance(value, str):
            raise _Bad("image data must be base64 text")
        return base64.b64decode(value, validate=True)
    if cls is model.ListBlock and name == "items":
        return _tuple(value, lambda item: _tuple(item, _node))
    if cls is model.Table and name == "header":
        return _tuple(value, _inlines)
    if cls is model.Table and name == "rows":
        return _tuple(value, lambda row: _tuple(row, _inlines))
    if name in ("children", "caption"):
        return _tuple(value, _node)
    if cls is model.Figure and name == "image":
        return None if value is None else _node(value)
    if name in ("level", "start"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Bad(f"{name} must be an integer")
        return value
    if name in ("double", "ordered"):
        if not isinstance(value, bool):
            raise _Bad(f"{name} must be true or false")
        return value
    if value is not None and not isinstance(value, str):
        raise _Bad(f"{name} must be text")
    return value


_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(model.Article)}


def article_from_dict(data: Any) -> model.Article:
    """Rebuild an article; any malformed content is an InputError, never a crash."""
    try:
        if not isinstance(data, dict) or VERSION_KEY not in data:
            raise _Bad(f"not an octavo model document (no {VERSION_KEY!r} key)")
        if data[VERSION_KEY] != MODEL_VERSION:
            raise _Bad(f"model version {data[VERSION_KEY]!r} is not supported "
                       f"(this octavo reads version {MODEL_VERSION})")
        fields = data.get("article")
        if not isinstance(fields, dict):
            raise _Bad("missing the 'article' object")
        unknown = set(fields) - _ARTICLE_FIELDS
        if unknown:
            raise _Bad(f"unknown article fields: {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for name, value in fields.items():
            if name == "body":
                kwargs[name] = _tuple(value, _node)
            elif name == "lead":
                kwargs[name] = None if value is None else _node(value)
            elif name in ("authors", "keywords"):
                kwargs[name] = _tuple(value, _text)
            elif name == "published":
                kwargs[name] = None if value is None else date.fromisoformat(_text(value))
            else:
                kwargs[name] = None if value is None and name not in ("title", "language") \
                    else _text(value)
        return model.Article(**kwargs)
    except (_Bad, ValueError, TypeError, ModelError, RecursionError) as exc:
        message = exc.message if isinstance(exc, ModelError) else str(exc)
        raise InputError(f"invalid octavo JSON: {message}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected text, got {type(value).__name__}")
    return value


def from_json(text: str) -> model.Article:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"not valid JSON: {exc}") from None
    return article_from_dict(data)
