"""The newsroom's newsletter screens (mounted at /newsroom/newsletters/).

Editors (`send_newsletter`) write issues, preview them, send a test to themselves, schedule or
send, and watch the progress; admins define newsletters and, alone, see subscriber addresses
(`view_subscriber_addresses`). Every write goes through `services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from masthead.newsroom.views.common import newsroom_view

from . import services
from .forms import IssueForm, NewsletterForm, SendForm
from .mail import IssueMail
from .models import Issue, Newsletter, Subscriber
from .transport import TransportError, open_transport


def _editor(user) -> bool:
    return user.has_perm("newsletters.send_newsletter")


def _admin(user) -> bool:
    return user.has_perm("newsletters.change_newsletter")


@newsroom_view(allowed=_editor)
def newsletter_list(request):
    form = NewsletterForm(request.POST or None) if _admin(request.user) else None
    status = 200
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            newsletter = form.save()
            messages.success(request, f"Newsletter {newsletter.name} created.")
            return redirect("newsletters_newsroom:newsletter", newsletter.pk)
    return render(request, "newsletters/newsroom/list.html", {
        "newsletters": Newsletter.objects.all(), "form": form}, status=status)


@newsroom_view(allowed=_editor)
def newsletter_detail(request, pk: int):
    newsletter = get_object_or_404(Newsletter, pk=pk)
    edit = NewsletterForm(instance=newsletter) if _admin(request.user) else None
    form = IssueForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "newsletter" and _admin(request.user):
            edit = NewsletterForm(request.POST, instance=newsletter)
            if edit.is_valid():
                edit.save()
                messages.success(request, "Newsletter saved.")
                return redirect("newsletters_newsroom:newsletter", pk)
            status = 400
        else:
            status = 400
            if form.is_valid():
                try:
                    issue = services.create_issue(
                        newsletter, form.cleaned_data["subject"],
                        introduction=form.cleaned_data["introduction"],
                        article_ids=[a.pk for a in form.cleaned_data["articles"]],
                        user=request.user)
                except services.NewsletterError as exc:
                    form.add_error(None, str(exc))
                else:
                    return redirect("newsletters_newsroom:issue", issue.pk)
    return render(request, "newsletters/newsroom/detail.html", {
        "newsletter": newsletter, "edit": edit, "form": form,
        "issues": newsletter.issues.all()[:50],
        "subscribers": newsletter.subscriptions.filter(
            subscriber__status=Subscriber.Status.ACTIVE).count()}, status=status)


@newsroom_view(allowed=_editor)
def issue_detail(request, pk: int):
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    form = SendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.send_issue(issue, at=form.cleaned_data["at"])
            except services.NewsletterError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Scheduled." if form.cleaned_data["at"]
                                 else "Sending.")
                return redirect("newsletters_newsroom:issue", pk)
    return render(request, "newsletters/newsroom/issue.html", {
        "issue": issue, "form": form, "progress": services.progress(issue),
        "articles": IssueMail(issue).articles}, status=status)


@newsroom_view(allowed=_editor)
def issue_preview(request, pk: int):
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    response = HttpResponse(IssueMail(issue).html)
    # The email's own inline styles; no script can run in it.
    response["Content-Security-Policy"] = "default-src 'none'; img-src *; style-src " \
                                          "'unsafe-inline'; sandbox"
    return response


@require_POST
@newsroom_view(allowed=_editor)
def issue_test(request, pk: int):
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    address = request.user.email
    if not address:
        messages.error(request, "Your account has no email address for the test.")
        return redirect("newsletters_newsroom:issue", pk)
    preview = Subscriber(pk=0, email_digest="0" * 64, name=request.user.get_full_name())
    transport = open_transport()
    try:
        msg = IssueMail(issue).message_for(preview, address)
        del msg["Subject"]
        msg["Subject"] = f"[Test] {issue.subject}"
        outcome = transport.send(issue.newsletter.sender_email, address, msg)
    except TransportError as exc:
        messages.error(request, f"The test was not sent: {exc}")
        return redirect("newsletters_newsroom:issue", pk)
    finally:
        transport.close()
    if outcome.accepted:
        messages.success(request, "Test email sent to your address.")
    else:
        messages.error(request, f"The mail server refused the test: {outcome.code}")
    return redirect("newsletters_newsroom:issue", pk)


@newsroom_view(allowed=lambda u: u.has_perm("newsletters.view_subscriber_addresses"))
def subscriber_list(request):
    page = Paginator(Subscriber.objects.order_by("-created_at", "-pk"), 100).get_page(
        request.GET.get("page"))
    rows = [(s, services.address_of(s)) for s in page.object_list]
    return render(request, "newsletters/newsroom/subscribers.html",
                  {"page": page, "rows": rows})
