"""Newsroom forms: the article editor, login, accounts and sections.

Forms check input and turn it into plain values for `services`/`staff`; they save nothing.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from masthead.articles.models import Article, Author, Section
from masthead.core.forms import RowChoiceField, RowsChoiceField
from masthead.media import services as media
from masthead.media.models import Image
from masthead.newsletters import article_mail

from . import policy
from .roles import ROLES
from .services import Upload

ACTIONS = ("save", "review", "publish", "schedule", "autosave")


def parse_tags(value: str) -> list[str]:
    return list(dict.fromkeys(t.strip()[:100] for t in (value or "").split(",") if t.strip()))


class ArticleForm(forms.Form):
    headline = forms.CharField(max_length=300,
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    slug = forms.SlugField(max_length=200, required=False,
                           help_text="The last part of the URL; suggested from the headline.")
    standfirst = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="One or two sentences under the headline.")
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 22}),
                           help_text="Markdown: ## for a sub-heading, **bold**, *italic*, "
                                     "[link](https://…), > quote, - list.")
    section = RowChoiceField(Section.objects.all(), required=False,
                                     empty_label="(no section)")
    tags = forms.CharField(required=False, max_length=2000,
                           help_text="Separated by commas; new tags are created.",
                           widget=forms.TextInput(attrs={"list": "tag-suggestions",
                                                         "autocomplete": "off"}))
    lead_author = RowChoiceField(Author.objects.all(), label="Byline")
    coauthors = RowsChoiceField(Author.objects.all(), required=False,
                                               label="Co-authors",
                                               # Tick boxes, not a Ctrl-click multi-select
                                               # (issue 16); picker.js adds a filter box.
                                               widget=forms.CheckboxSelectMultiple(
                                                   attrs={"class": "picker"}))
    lead_image = RowChoiceField(Image.objects.all(), required=False,
                                        widget=forms.HiddenInput)
    remove_lead_image = forms.BooleanField(required=False, label="Remove the lead image")
    lead_image_upload = forms.FileField(required=False, label="Upload a lead image",
                                        widget=forms.ClearableFileInput(
                                            attrs={"accept": "image/jpeg,image/png,image/webp,"
                                                             "image/gif"}))
    lead_image_alt = forms.CharField(max_length=300, required=False, label="Alt text",
                                     help_text="What the picture shows, for readers who "
                                               "cannot see it.")
    lead_image_caption = forms.CharField(max_length=500, required=False, label="Caption")
    comments_enabled = forms.BooleanField(required=False, initial=True, label="Comments open")
    featured = forms.BooleanField(required=False, label="Feature on the front page")
    kind = forms.ChoiceField(choices=Article.Kind.choices, initial=Article.Kind.ARTICLE,
                             required=False,
                             label="Type")
    publish_at = forms.DateTimeField(
        required=False, label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1},
                                   format="%Y-%m-%dT%H:%M"),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, article: Article, action: str = "save", **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user, self.article, self.action = user, article, action
        self.upload: Upload | None = None
        if not policy.can_edit_placement(user):
            del self.fields["featured"], self.fields["kind"]
        self._add_email_choice(user, article)
        # Only the bylines this user may set are offered (and accepted): see policy.py.
        self.fields["lead_author"].queryset = policy.allowed_leads(user, article)

    def _add_email_choice(self, user, article: Article) -> None:
        """"Send as email to <newsletter>": for those who may send newsletters, when there is a
        newsletter an article can go to (newsletters.article_mail)."""
        eligible = article_mail.eligible()
        if not policy.can_send_newsletters(user) or not eligible.exists():
            return
        sent = article_mail.already_sent(article)
        help_text = "Sent once, when the article is published."
        if sent:
            help_text += " Already sent to: " + ", ".join(n.name for n in sent) + "."
        self.fields["email_newsletters"] = RowsChoiceField(
            eligible, required=False, label="Send as email to",
            widget=forms.CheckboxSelectMultiple, help_text=help_text)
        if not self.is_bound:
            self.initial["email_newsletters"] = [n.pk for n in article_mail.chosen(article)]

    @classmethod
    def initial_for(cls, article: Article, user) -> dict:
        authors = article.byline_authors if article.pk else list(Author.objects.filter(user=user))
        return {
            "headline": article.headline, "slug": article.slug,
            "standfirst": article.standfirst, "body": article.body,
            "section": article.section_id,
            "tags": ", ".join(t.name for t in article.tags.all()) if article.pk else "",
            "lead_author": authors[0].pk if authors else None,
            "coauthors": [a.pk for a in authors[1:]],
            "lead_image": article.lead_image_id,
            "lead_image_alt": article.lead_image_alt,
            "lead_image_caption": article.lead_image_caption,
            "comments_enabled": article.comments_enabled if article.pk else True,
            "featured": article.featured, "kind": article.kind,
            "publish_at": timezone.localtime(article.published_at).replace(tzinfo=None)
            if article.status == Article.Status.SCHEDULED and article.published_at else None,
            "version": article.updated_at.isoformat() if article.pk else "",
        }

    def clean_tags(self):
        return parse_tags(self.cleaned_data["tags"])

    def clean_version(self):
        value = self.cleaned_data["version"]
        if not value:
            return None
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError("The page is out of date; reload it.") from None

    def clean_lead_image_upload(self):
        upload = self.cleaned_data.get("lead_image_upload")
        if not upload:
            return None
        try:
            self.upload = Upload(upload, media.check_upload(upload))
        except media.ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def clean(self):
        data = super().clean()
        has_image = (data.get("lead_image") and not data.get("remove_lead_image")) or self.upload
        if has_image:
            # Required by the issue: an image without alt text shuts out screen-reader users.
            if not (data.get("lead_image_alt") or "").strip():
                self.add_error("lead_image_alt", "Describe the image for readers who cannot "
                                                 "see it.")
            if not (data.get("lead_image_caption") or "").strip():
                self.add_error("lead_image_caption", "Give the image a caption.")
        if data.get("lead_author") is not None:
            problem = policy.byline_problem(self.user, self.article, self._byline(data))
            if problem:
                self.add_error("coauthors", problem)
        if self.action == "schedule":
            when = data.get("publish_at")
            if not when:
                self.add_error("publish_at", "Choose when to publish.")
            elif when <= timezone.now():
                self.add_error("publish_at", "Choose a time in the future.")
        return data

    @staticmethod
    def _byline(data: dict) -> list:
        lead = data["lead_author"]
        return [lead, *[a for a in data.get("coauthors") or [] if a != lead]]

    def to_fields(self) -> dict:
        """The cleaned values as `services` expects them."""
        data = self.cleaned_data
        authors = self._byline(data)
        lead_image = None if data.get("remove_lead_image") else data.get("lead_image")
        fields = {
            "headline": data["headline"].strip(), "slug": data.get("slug") or "",
            "standfirst": data.get("standfirst", "").strip(), "body": data.get("body", ""),
            "section": data.get("section"), "tags": data["tags"], "authors": authors,
            "lead_image": lead_image,
            "lead_image_alt": data.get("lead_image_alt", "").strip() if lead_image or self.upload
            else "",
            "lead_image_caption": data.get("lead_image_caption", "").strip()
            if lead_image or self.upload else "",
            "comments_enabled": data.get("comments_enabled", False),
        }
        if "email_newsletters" in self.fields:
            fields["email_newsletters"] = list(data.get("email_newsletters") or [])
        if "featured" in self.fields:
            fields["featured"] = data.get("featured", False)
            fields["kind"] = data.get("kind") or Article.Kind.ARTICLE
        return fields


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": "This account has no newsroom role. Ask an administrator.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150, label="Login name")
    display_name = forms.CharField(max_length=150, required=False,
                                   help_text="The byline name; the login name if empty.")
    role = forms.ChoiceField(choices=[(r, r.title()) for r in ROLES])
    password = forms.CharField(required=False, widget=forms.PasswordInput,
                               help_text="Leave empty to generate one, shown once.")


class UserEditForm(forms.Form):
    role = forms.ChoiceField(choices=[(r, r.title()) for r in ROLES])
    is_active = forms.BooleanField(required=False, label="Active (may log in)")


class SectionForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=100, required=False, label="URL name")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
