import json

import pytest
from hypothesis import given, settings

from octavo import serialize
from octavo.errors import InputError
from tests.strategies import articles


@settings(max_examples=150, deadline=None)
@given(articles)
def test_json_round_trip_is_identity(article):
    assert serialize.from_json(serialize.to_json(article)) == article


def test_document_carries_version():
    from octavo.model import Article, para

    data = json.loads(serialize.to_json(Article(title="T", language="de", body=(para("x"),))))
    assert data["octavo-model"] == serialize.MODEL_VERSION
    assert data["article"]["body"][0] == {"t": "Paragraph", "children": [{"t": "Text", "value": "x"}]}


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"octavo-model": 99, "article": {}}',
        '{"octavo-model": 1, "article": {"title": "T", "language": "de", "body": [{"t": "Nope"}]}}',
        '{"octavo-model": 1, "article": {"title": "", "language": "de", "body": []}}',
        '{"octavo-model": 1, "article": {"title": "T", "language": "de", "body": [], "bogus": 1}}',
        '{"octavo-model": 1, "article": {"title": "T", "language": "de", "body": [{"t": "Heading", "level": 9, "children": []}]}}',
        "{not json",
    ],
)
def test_malformed_documents_are_input_errors(text):
    with pytest.raises(InputError):
        serialize.from_json(text)


@settings(max_examples=60, deadline=None)
@given(articles)
def test_output_matches_the_published_schema(article):
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads(files("octavo").joinpath("schema/octavo-model-1.json").read_text("utf-8"))
    jsonschema.validate(json.loads(serialize.to_json(article)), schema)
