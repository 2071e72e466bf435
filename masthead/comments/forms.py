"""The Leave a Reply form: field rules and per-field messages (CONTRACT, Article page).

Fields are the contract's (`author`, `email`, `url`, `comment`, `comment_parent`, `article`)
plus three of ours: `form_token` (signed, see tokens.py), `notify` (reply notifications,
opt-in) and the honeypot `leave_this_empty`, which people never see and bots fill in. A name
autofill does not recognise was chosen so browsers never fill it for a real reader.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator

from . import tokens

MAX_NAME = 100
MAX_URL = 200
MAX_BODY = 5000
MAX_EMAIL = 254
HONEYPOT = "leave_this_empty"

# Bidi embeddings/overrides/isolates reorder what readers see ("spoofed" names and links);
# other C0 controls are invisible. Neither belongs in a comment, so both are dropped.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def scrub(text: str) -> str:
    return _INVISIBLE.sub("", text or "")


class _CleanText(forms.CharField):
    def to_python(self, value):
        return scrub(super().to_python(value))


class CommentForm(forms.Form):
    author = _CleanText(
        max_length=MAX_NAME,
        error_messages={
            "required": "Please enter your name.",
            "max_length": "Please keep your name to %(limit_value)d characters or fewer.",
        },
    )
    email = forms.EmailField(
        max_length=MAX_EMAIL,
        error_messages={
            "required": "Please enter your email address (it will not be published).",
            "invalid": "Please enter a valid email address, like name@example.com.",
            "max_length": "That email address is too long.",
        },
    )
    url = forms.URLField(
        required=False, max_length=MAX_URL, assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "invalid": "Please enter a web address starting with http:// or https://.",
            "max_length": "Please keep the web address to %(limit_value)d characters or fewer.",
        },
    )
    comment = _CleanText(
        strip=True,
        error_messages={"required": "Please type a comment."},
    )
    comment_parent = forms.IntegerField(required=False, min_value=0)
    article = forms.IntegerField(min_value=1, error_messages={
        "required": "This form is missing its article.", "invalid": "Unknown article.",
    })
    form_token = forms.CharField(required=False)
    notify = forms.BooleanField(required=False)
    leave_this_empty = forms.CharField(required=False, strip=False)

    def clean_comment(self):
        body = self.cleaned_data["comment"]
        if len(body) > MAX_BODY:
            raise forms.ValidationError(
                f"Please keep your comment to {MAX_BODY:,} characters or fewer "
                f"(it has {len(body):,}).", code="max_length",
            )
        return body

    def clean(self):
        data = super().clean()
        for name in ("author", "comment", "url"):
            # U+FFFD is what invalid UTF-8 in the request decodes to: the text was garbled.
            if "\ufffd" in (self.data.get(name) or ""):
                self.add_error(name, "This contains characters that could not be read; "
                                     "please retype it.")
        if self.data.get(HONEYPOT):
            raise forms.ValidationError("Your comment could not be accepted.", code="honeypot")
        if data.get("article") and not self.errors:
            try:
                self.token = tokens.check_form_token(data.get("form_token", ""),
                                                     data["article"])
            except tokens.FormTokenError as exc:
                raise forms.ValidationError(str(exc), code=exc.reason) from None
        return data

    def token_problem(self) -> str:
        """"too_fast", "expired", "invalid", "honeypot" or "" (for the view's response)."""
        for error in self.errors.as_data().get("__all__", []):
            return error.code or ""
        return ""

    def kept_values(self) -> dict:
        """The reader's input, for re-rendering the form after an error (never stored)."""
        keys = ("author", "email", "url", "comment", "comment_parent", "form_token")
        values = {k: scrub(str(self.data.get(k, ""))[: MAX_BODY + 100]) for k in keys}
        values["notify"] = bool(self.data.get("notify"))
        return values

    def field_errors(self) -> dict:
        return {name: errors[0] for name, errors in self.errors.items() if name != "__all__"}
