"""The shapes of the API, as pydantic models: the OpenAPI description is generated from them.

Every model forbids extra fields, so the description is also the allow-list: an answer with a
field not declared here fails the tests (and schemathesis), and a request with an unknown field
is refused with 400. `serializers.py` builds the content answers; these describe them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
Time = Annotated[str | None, Field(json_schema_extra={"format": "date-time"})]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class Closed(Schema):
    model_config = ConfigDict(extra="forbid")


class SectionRef(Closed):
    slug: str
    name: str
    url: Url


class Section(SectionRef):
    description: str


class Tag(Closed):
    slug: str
    name: str
    url: Url


class AuthorRef(Closed):
    slug: str
    name: str
    url: Url


class Author(AuthorRef):
    bio: str


class Image(Closed):
    url: Url
    alt: str
    caption: str
    credit: str
    width: Count | None
    height: Count | None


class ArticleSummary(Closed):
    id: int
    type: Literal["article", "page"]
    url: Url
    slug: str
    headline: str
    standfirst: str
    published_at: Time
    updated_at: Time
    section: SectionRef | None
    tags: list[Tag]
    authors: list[AuthorRef]
    word_count: Count
    reading_minutes: Count
    image: Image | None


class Article(ArticleSummary):
    body_html: str = Field(description="sanitised HTML")


class Pagination(Closed):
    page: Positive
    per_page: Positive
    pages: Positive
    total: Count
    next: Url | None
    previous: Url | None


class SearchPagination(Pagination):
    total_is_lower_bound: bool


class SearchResult(Closed):
    article: ArticleSummary
    score: float = Field(description="higher is better; engine-specific")
    headline_html: str | None = Field(description="escaped headline, matches in <mark>")
    snippet_html: str | None = Field(description="escaped excerpt, matches in <mark>")


class ArticleList(Closed):
    results: list[ArticleSummary]
    pagination: Pagination


class SectionList(Closed):
    results: list[Section]


class Newsletter(Closed):
    """A newsletter readers can sign up for: no sender address, no subscriber count."""
    slug: str
    name: str
    description: str
    kind: Literal["manual", "digest", "sections"]
    cadence: Literal["daily", "weekly"] | None
    archive_url: Url | None
    subscribe_url: Url


class NewsletterList(Closed):
    results: list[Newsletter]


class TagList(Closed):
    results: list[Tag]
    pagination: Pagination


class AuthorList(Closed):
    results: list[Author]
    pagination: Pagination


class SearchAnswer(Closed):
    query: str
    results: list[SearchResult]
    suggestion: str | None = Field(description="a spelling to try when nothing matched")
    pagination: SearchPagination
