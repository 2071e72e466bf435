"""Admin pages: newsroom accounts and sections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from masthead.articles.models import Section

from .. import policy, staff
from ..forms import SectionForm, UserCreateForm, UserEditForm
from ..roles import role_of
from .common import newsroom_view

users_page = newsroom_view(allowed=policy.can_manage_users)
sections_page = newsroom_view(allowed=policy.can_manage_sections)


def _add_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@users_page
def user_list(request):
    users = get_user_model().objects.order_by("-is_active", "username").prefetch_related("groups")
    rows = [(u, role_of(u)) for u in users]
    return render(request, "newsroom/users.html", {"rows": rows})


@users_page
def user_new(request):
    form = UserCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, generated = staff.create_staff_user(
                    data["username"], data["role"], password=data["password"] or None,
                    display_name=data["display_name"], actor=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                # Shown once, in this response only: never put a password in a message cookie.
                return render(request, "newsroom/user_created.html",
                              {"new_user": user, "password": generated, "role": data["role"]})
    return render(request, "newsroom/user_form.html", {"form": form}, status=status)


@users_page
def user_edit(request, pk: int):
    subject = get_object_or_404(get_user_model(), pk=pk)
    initial = {"role": role_of(subject) or "contributor", "is_active": subject.is_active}
    form = UserEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if form.cleaned_data["role"] != initial["role"] or not subject.is_staff:
                    staff.change_role(request.user, subject, form.cleaned_data["role"])
                if form.cleaned_data["is_active"] != subject.is_active:
                    staff.set_active(request.user, subject, form.cleaned_data["is_active"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Saved {subject.get_username()}.")
                return redirect("newsroom:user_list")
    return render(request, "newsroom/user_edit.html", {"subject": subject, "form": form},
                  status=status)


@sections_page
def section_list(request):
    form = SectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                section = staff.create_section(request.user, form.cleaned_data["name"],
                                               form.cleaned_data["description"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Section {section.name} created.")
                return redirect("newsroom:section_list")
    return render(request, "newsroom/sections.html",
                  {"sections": Section.objects.order_by("position", "name"), "form": form},
                  status=status)


@sections_page
def section_edit(request, pk: int):
    section = get_object_or_404(Section, pk=pk)
    initial = {"name": section.name, "slug": section.slug, "description": section.description}
    form = SectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                staff.rename_section(request.user, section, data["name"], data["slug"],
                                     data["description"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Section {section.name} saved.")
                return redirect("newsroom:section_list")
    return render(request, "newsroom/section_edit.html", {"section": section, "form": form},
                  status=status)


@require_POST
@sections_page
def section_move(request, pk: int):
    section = get_object_or_404(Section, pk=pk)
    direction = request.POST.get("direction")
    if direction == "navigation":
        staff.set_section_navigation(request.user, section, not section.in_navigation)
    elif direction in ("up", "down"):
        staff.move_section(request.user, section, -1 if direction == "up" else 1)
    else:
        return render(request, "newsroom/sections.html", {
            "sections": Section.objects.order_by("position", "name"), "form": SectionForm(),
            "error": "Unknown direction.",
        }, status=400)
    return redirect("newsroom:section_list")
