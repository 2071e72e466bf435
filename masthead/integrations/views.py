"""Admins' newsroom pages: integrations (keys shown once, revoke), their webhooks and delivery
log (redeliver), and the API's description rendered for people. Thin: the work is in
`services` (this app's and the webhooks app's), which check the actor's rights again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from masthead.newsroom import policy
from masthead.newsroom.roles import ROLES
from masthead.newsroom.views.common import newsroom_view
from masthead.webhooks import services as webhooks
from masthead.webhooks.models import Delivery, Subscription

from . import services
from .models import Integration

admins_only = newsroom_view(allowed=policy.can_manage_users)


@admins_only
def integration_list(request):
    issued, error, status = None, None, 200
    if request.method == "POST":
        try:
            issued = services.create_integration(request.POST.get("name", ""),
                                                 request.POST.get("role", ""),
                                                 actor=request.user)
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
    return render(request, "integrations/list.html", {
        "integrations": services.listing(), "roles": ROLES, "issued": issued, "error": error,
        "events": webhooks.EVENTS,
        "subscriptions": Subscription.objects.select_related("integration"),
    }, status=status)


@admins_only
@require_POST
def integration_revoke(request, pk: int):
    integration = get_object_or_404(Integration, pk=pk)
    services.revoke_integration(integration, actor=request.user)
    messages.success(request, f"{integration.name}: both keys revoked.")
    return redirect("integrations:list")


@admins_only
@require_POST
def webhook_add(request):
    integration = get_object_or_404(Integration, pk=request.POST.get("integration") or 0)
    try:
        subscription = webhooks.subscribe(integration, request.POST.get("event", ""),
                                          request.POST.get("url", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Webhook added. Its signing secret: {subscription.secret}")
    return redirect("integrations:list")


@admins_only
def delivery_log(request):
    deliveries = (Delivery.objects.select_related("subscription__integration")
                  .prefetch_related("log")[:100])
    return render(request, "integrations/deliveries.html", {"deliveries": deliveries})


@admins_only
@require_POST
def redeliver(request, pk: int):
    webhooks.redeliver(get_object_or_404(Delivery, pk=pk), actor=request.user)
    messages.success(request, f"Delivery {pk} queued again; its webhook is enabled.")
    return redirect("integrations:deliveries")


@newsroom_view
def api_reference(request):
    from masthead.api.schema import openapi

    spec = openapi()
    operations = [
        {"method": method.upper(), "path": path, "summary": op.get("summary", ""),
         "auth": "Admin key" if {"AdminAuth": []} in op.get("security", []) else
                 "none, or a Content key",
         "parameters": op.get("parameters", []),
         "statuses": sorted(op.get("responses", {}))}
        for path, item in spec["paths"].items() for method, op in item.items()]
    return render(request, "integrations/api_reference.html",
                  {"operations": operations, "spec": spec})
