"""Newsroom forms: defining a newsletter, writing an issue, sending it."""

from __future__ import annotations

from django import forms

from masthead.articles.models import Article
from masthead.core.forms import RowsChoiceField

from .models import Newsletter


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ["name", "slug", "description", "sender_name", "sender_email", "reply_to",
                  "kind", "cadence", "send_hour", "weekday", "sections", "public_archive",
                  "is_active"]

    def clean_sender_name(self):
        value = self.cleaned_data["sender_name"]
        if any(c in value for c in "\r\n"):
            raise forms.ValidationError("No line breaks in a sender name.")
        return value

    def clean_send_hour(self):
        hour = self.cleaned_data["send_hour"]
        if hour > 23:
            raise forms.ValidationError("An hour from 0 to 23.")
        return hour


class IssueForm(forms.Form):
    subject = forms.CharField(max_length=200)
    introduction = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                   help_text="Markdown.")
    articles = RowsChoiceField(
        queryset=Article.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest 40 stories (a choice field cannot validate against a sliced queryset).
        latest = Article.objects.published().filter(kind=Article.Kind.ARTICLE).order_by(
            "-published_at")
        self.fields["articles"].queryset = latest.filter(
            pk__in=list(latest.values_list("pk", flat=True)[:40]))


class SendForm(forms.Form):
    at = forms.DateTimeField(required=False, label="Send at (empty: now)",
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
