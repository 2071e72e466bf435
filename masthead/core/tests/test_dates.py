"""`format_date` must print exactly what Django's `date` filter prints, only faster."""

import datetime as dt
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.core.dates import format_date


def django_date(value, fmt):
    """What `{{ value|date:fmt }}` prints in a Django template (which localises first)."""
    template = engines["django"].from_string("{{ value|date:fmt }}")
    return template.render({"value": value, "fmt": fmt})


FORMATS = ["c", "j F Y, H:i", "j M Y", "Y-m-d", "d/m/y G:i:s", "N j, Y", "D, j M Y", "l jS F"]


@settings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1),
                           timezones=st.sampled_from([dt.UTC, zoneinfo.ZoneInfo("Asia/Kolkata"),
                                                      zoneinfo.ZoneInfo("America/New_York")])),
       fmt=st.sampled_from(FORMATS), site_zone=st.sampled_from(["UTC", "Europe/London",
                                                               "Pacific/Chatham"]))
def test_same_output_as_django_for_aware_datetimes(moment, fmt, site_zone):
    with timezone.override(site_zone):
        if fmt == "c":
            # "c" stops at the second (HTML's <time datetime> takes at most three digits of it)
            assert format_date(moment, fmt) == django_date(moment.replace(microsecond=0), fmt)
        else:
            assert format_date(moment, fmt) == django_date(moment, fmt)


def test_c_is_valid_in_html_time_elements():
    moment = dt.datetime(2026, 12, 5, 4, 20, 7, 123456, tzinfo=dt.UTC)
    with timezone.override("UTC"):
        assert format_date(moment, "c") == "2026-12-05T04:20:07+00:00"


@pytest.mark.parametrize("fmt", ["Y-m-d", "j M Y", "j F Y", "D j N Y"])
def test_same_output_as_django_for_dates(fmt):
    day = dt.date(2026, 3, 7)
    assert format_date(day, fmt) == django_date(day, fmt)


def test_naive_datetimes_are_printed_as_they_are():
    moment = dt.datetime(2026, 12, 2, 9, 5)
    assert format_date(moment, "j F Y, H:i") == "2 December 2026, 09:05"


@pytest.mark.parametrize("empty", [None, "", "not a date"])
def test_no_value_prints_nothing(empty):
    assert format_date(empty, "j M Y") == ""
