"""The upload form of the media library (also embedded in the article editor)."""

from __future__ import annotations

from django import forms

from . import services


class ImageUploadForm(forms.Form):
    file = forms.FileField(label="Image", help_text="JPEG, PNG, WebP or GIF.")
    alt = forms.CharField(
        label="Alt text", max_length=300,
        help_text="What the image shows, for readers who cannot see it.",
    )
    caption = forms.CharField(label="Caption", max_length=500)
    credit = forms.CharField(label="Credit", max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # Decoded once here so the error shows beside the field; the result is reused.
            self.processed = services.check_upload(upload)
        except services.ImageRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def save(self, user):
        data = self.cleaned_data
        return services.store_upload(
            data["file"], user=user, alt=data["alt"], caption=data["caption"],
            credit=data.get("credit", ""), processed=self.processed,
        )
