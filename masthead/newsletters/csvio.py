"""Subscriber lists in and out as CSV, in the formats of Ghost, Mailchimp and Substack.

The format is recognised by the header row. Consent travels with each row: Ghost's
`subscribed_to_emails`, Mailchimp's `OPTIN_TIME` / `CONFIRM_TIME`, Substack's `email_disabled`.
A row without consent, with a bad address or a repeated one is refused and reported by line;
the accepted rows are stored in one transaction. A file that is not one of these CSVs stores
nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import privacy, services
from .models import Newsletter, Subscriber, Subscription

FORMATS = {
    "ghost": ["id", "email", "name", "note", "subscribed_to_emails", "complimentary_plan",
              "stripe_customer_id", "created_at", "deleted_at", "labels", "tiers"],
    "mailchimp": ["Email Address", "First Name", "Last Name", "MEMBER_RATING", "OPTIN_TIME",
                  "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LAST_CHANGED", "TAGS"],
    "substack": ["email", "active_subscription", "expiry", "plan", "email_disabled",
                 "created_at", "first_payment_at"],
}
TRUE = {"true", "1", "yes", "y"}


class CsvError(ValueError):
    pass


@dataclass
class Row:
    line: int
    email: str
    name: str
    consent: bool
    created_at: dt.datetime | None
    confirmed_at: dt.datetime | None


@dataclass
class ImportReport:
    format: str
    imported: int = 0
    refused: list[str] = field(default_factory=list)


def detect(header: list[str]) -> str:
    names = {h.strip() for h in header}
    if {"email", "subscribed_to_emails"} <= names:
        return "ghost"
    if "Email Address" in names:
        return "mailchimp"
    if {"email", "email_disabled"} <= names or {"email", "active_subscription"} <= names:
        return "substack"
    raise CsvError("not a Ghost, Mailchimp or Substack subscriber CSV (unrecognised header: "
                   f"{', '.join(list(names)[:5])})")


def _when(value: str) -> dt.datetime | None:
    value = (value or "").strip().replace("Z", "+00:00")
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "T", 1)) if "T" not in value else \
        parse_datetime(value)
    if parsed is None:
        raise ValueError(f"bad date {value!r}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _row(fmt: str, line: int, r: dict) -> Row:
    get = lambda k: (r.get(k) or "").strip()  # noqa: E731
    if fmt == "ghost":
        return Row(line, get("email"), get("name"), get("subscribed_to_emails").lower() in TRUE,
                   _when(get("created_at")), _when(get("created_at")))
    if fmt == "mailchimp":
        optin, confirm = _when(get("OPTIN_TIME")), _when(get("CONFIRM_TIME"))
        name = " ".join(p for p in (get("First Name"), get("Last Name")) if p)
        return Row(line, get("Email Address"), name, bool(optin or confirm), optin or confirm,
                   confirm or optin)
    created = _when(get("created_at"))
    return Row(line, get("email"), "", get("email_disabled").lower() not in TRUE, created,
               created)


def read(data: bytes) -> tuple[str, list[Row], list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError("the file is not UTF-8 text") from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fmt = detect(reader.fieldnames or [])
        rows, refused = [], []
        for r in reader:
            try:
                rows.append(_row(fmt, reader.line_num, r))
            except ValueError as exc:
                refused.append(f"line {reader.line_num}: {exc}")
    except csv.Error as exc:
        raise CsvError(f"malformed CSV: {exc}") from None
    return fmt, rows, refused


def import_csv(data: bytes, newsletters: list[Newsletter], *, now=None) -> ImportReport:
    if not newsletters:
        raise CsvError("no newsletter to subscribe the rows to (use --newsletter SLUG)")
    fmt, rows, refused = read(data)
    report = ImportReport(fmt, refused=refused)
    seen: set[str] = set()
    now = now or timezone.now()
    with transaction.atomic():
        for row in rows:
            try:
                email = services.clean_email(row.email)
                name = services.clean_name(row.name)
            except services.NewsletterError as exc:
                report.refused.append(f"line {row.line}: {exc}")
                continue
            if not row.consent:
                report.refused.append(f"line {row.line}: no consent to email recorded")
                continue
            digest = privacy.email_digest(email)
            if digest in seen:
                report.refused.append(f"line {row.line}: repeats an address of an earlier line")
                continue
            seen.add(digest)
            subscriber, created = Subscriber.objects.get_or_create(
                email_digest=digest,
                defaults={"email_encrypted": privacy.encrypt_email(email), "name": name,
                          "created_at": row.created_at or now, "source": f"import:{fmt}",
                          "status": Subscriber.Status.ACTIVE,
                          "confirmed_at": row.confirmed_at or row.created_at or now})
            if not created and subscriber.status in (Subscriber.Status.UNSUBSCRIBED,
                                                     Subscriber.Status.SUPPRESSED):
                report.refused.append(f"line {row.line}: this reader left or bounced here; "
                                      "not subscribed again")
                continue
            if not created and subscriber.status == Subscriber.Status.PENDING:
                Subscriber.objects.filter(pk=subscriber.pk).update(
                    status=Subscriber.Status.ACTIVE, confirm_nonce="",
                    confirmed_at=row.confirmed_at or now)
            for newsletter in newsletters:
                Subscription.objects.get_or_create(subscriber=subscriber, newsletter=newsletter)
            report.imported += 1
    return report


def export_csv(out, fmt: str = "ghost") -> int:
    """Every subscriber, addresses decrypted, in `fmt`'s columns (the operator's export)."""
    if fmt not in FORMATS:
        raise CsvError(f"unknown format {fmt!r}; choose ghost, mailchimp or substack")
    writer = csv.DictWriter(out, fieldnames=FORMATS[fmt], extrasaction="ignore")
    writer.writeheader()
    count = 0
    slugs: dict[int, list[str]] = {}
    for sid, slug in Subscription.objects.values_list("subscriber_id", "newsletter__slug"):
        slugs.setdefault(sid, []).append(slug)
    for s in Subscriber.objects.order_by("pk").iterator(chunk_size=1000):
        email = services.address_of(s)
        active = s.status == Subscriber.Status.ACTIVE
        created = s.created_at.isoformat() if s.created_at else ""
        confirmed = s.confirmed_at.strftime("%Y-%m-%d %H:%M:%S") if s.confirmed_at else ""
        first, _, last = s.name.partition(" ")
        writer.writerow({
            "id": s.pk, "email": email, "name": s.name, "subscribed_to_emails": str(active)
            .lower(), "complimentary_plan": "false", "created_at": created,
            "labels": ",".join(sorted(slugs.get(s.pk, []))),
            "Email Address": email, "First Name": first, "Last Name": last,
            "OPTIN_TIME": s.created_at.strftime("%Y-%m-%d %H:%M:%S") if s.created_at else "",
            "CONFIRM_TIME": confirmed if active else "", "TAGS": ",".join(slugs.get(s.pk, [])),
            "active_subscription": "false", "email_disabled": str(not active).lower(),
        } | ({"created_at": created} if fmt != "mailchimp" else {}))
        count += 1
    return count
