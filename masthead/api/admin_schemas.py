"""Request and answer shapes of the Admin API (closed: unknown fields are refused with 400).

`ArticleIn` is the JSON Lines article object of CONTRACT.md (`title`, `body`, `section`,
`tags`, `author`, `standfirst`, `published_at`, `status`, `type`, `id`) plus the editor's
other fields; `ArticleAdmin` is what an integration sees of an article it may see, drafts
included, with `version` (the ETag) for `If-Match`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from .schemas import Time, Url

Text = Annotated[str, Field(max_length=200_000)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Status = Literal["draft", "review", "published", "scheduled"]


class Closed(Schema):
    model_config = ConfigDict(extra="forbid")


class ArticleFields(Closed):
    standfirst: Annotated[str, Field(max_length=5000)] | None = None
    slug: Annotated[str, Field(max_length=200, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] | None = None
    section: Annotated[str, Field(max_length=100, description="an existing section's slug")] \
        | None = None
    tags: Annotated[list[Name], Field(max_length=50)] | None = Field(
        None, description="tag names; new tags are created, as in the newsroom")
    author: Annotated[str, Field(max_length=150)] | None = Field(
        None, description="the lead byline: an existing author's slug or name")
    authors: Annotated[list[Annotated[str, Field(max_length=150)]], Field(max_length=20)] \
        | None = Field(None, description="bylines in order (existing authors' slugs or names)")
    lead_image: int | None = Field(None, description="an image id from POST /media/")
    lead_image_alt: Annotated[str, Field(max_length=300)] | None = None
    lead_image_caption: Annotated[str, Field(max_length=500)] | None = None
    comments_enabled: bool | None = None
    featured: bool | None = Field(None, description="editors only, as in the newsroom")
    email_newsletters: Annotated[list[Annotated[str, Field(max_length=80)]],
                                 Field(max_length=20)] | None = Field(
        None, description="slugs of manual newsletters to send the article to as an email when "
                          "it is published (once); roles that may send newsletters only")


class ArticleIn(ArticleFields):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    body: Text
    id: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(
        None, description="your external key for the article (unique)")
    status: Status = Field("draft", description="published and scheduled need a role that "
                                                "may publish; scheduled needs published_at")
    type: Literal["article", "page"] = "article"
    published_at: dt.datetime | None = Field(
        None, description="with status published: a past time backdates the article (its date, "
        "URL and place in listings), a future one schedules it; with status scheduled: when "
        "(future). Without a UTC offset, the site's time zone")


class ArticlePatch(ArticleFields):
    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    body: Text | None = None


class ScheduleIn(Closed):
    at: dt.datetime = Field(description="when to publish; in the future (without a UTC offset: "
                                        "the site's time zone)")


class PublishIn(Closed):
    published_at: dt.datetime | None = Field(
        None, description="a past time backdates (an imported story keeps its date), a future "
        "one schedules; leave out to publish now. Without a UTC offset: the site's time zone")


class ArticleAdmin(Closed):
    id: int
    external_id: str | None
    status: Status
    type: Literal["article", "page"]
    url: Url
    slug: str
    title: str
    standfirst: str
    body: str
    section: str | None
    tags: list[str]
    authors: list[str]
    lead_image: int | None
    lead_image_alt: str
    lead_image_caption: str
    featured: bool
    comments_enabled: bool
    email_newsletters: list[str] = Field(
        description="slugs of the newsletters the article is sent to as an email when it is "
                    "published (what was set with `email_newsletters`)")
    published_at: Time
    updated_at: Time
    version: str = Field(description="the ETag: send it back in If-Match to update")


class ImageOut(Closed):
    id: int
    url: Url
    width: int | None
    height: int | None
    alt: str
    caption: str
    credit: str


class SectionIn(Closed):
    name: Name
    description: Annotated[str, Field(max_length=2000)] = ""


class TagIn(Closed):
    name: Name


class CommentOut(Closed):
    id: int
    article: int
    parent: int | None
    author: str
    status: Literal["pending", "approved", "spam", "trash"]
    created_at: Time
    body: str


class CommentList(Closed):
    results: list[CommentOut]


class ReplyIn(Closed):
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


Slug = Annotated[str, Field(min_length=1, max_length=100,
                            pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Version = Field(description="the ETag: send it back in If-Match to change or delete")


class SectionPatch(Closed):
    name: Name | None = None
    slug: Slug | None = Field(None, description="a new URL name (/section/SLUG/)")
    description: Annotated[str, Field(max_length=2000)] | None = None


class SectionAdmin(Closed):
    slug: str
    name: str
    description: str
    url: Url
    version: str = Version


class TagPatch(Closed):
    name: Name | None = None
    slug: Slug | None = Field(None, description="a new URL name (/tag/SLUG/)")


class TagAdmin(Closed):
    slug: str
    name: str
    url: Url
    version: str = Version


class AuthorIn(Closed):
    name: Annotated[str, Field(min_length=1, max_length=150)]
    slug: Slug | None = Field(None, description="the URL name; made from the name if left out")
    bio: Annotated[str, Field(max_length=5000)] = ""


class AuthorPatch(Closed):
    name: Annotated[str, Field(min_length=1, max_length=150)] | None = None
    slug: Slug | None = None
    bio: Annotated[str, Field(max_length=5000)] | None = None


class AuthorAdmin(Closed):
    slug: str
    name: str
    bio: str
    url: Url
    version: str = Version
