"""Form fields that choose rows by id, refusing what is no id before the database sees it.

Django's `ModelChoiceField` turns a value into a query and catches ValueError; a 25-digit
number raises OverflowError on SQLite instead (a 500 the security suite found), and `"3²"`
reaches `int()`. These refuse both as an invalid choice, which is the 400 the form shows.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .text import is_row_id


class RowChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_row_id(str(value)):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not is_row_id(str(pk)):
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
