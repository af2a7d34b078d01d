"""Language-aware typography: pure functions over text and the model."""

from __future__ import annotations

from octavo.model import Article


def typeset_article(article: Article) -> Article:
    """Apply the article language's punctuation rules to every text run (see punctuation.py)."""
    from octavo.typography.punctuation import typeset

    return typeset(article)
