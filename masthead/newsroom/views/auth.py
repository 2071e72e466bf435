"""Log in (throttled), log out, change password.

Sessions: Django's session auth hash makes every other session of a user invalid as soon as
the password changes; the session that changed it is kept (`update_session_auth_hash`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from .. import throttle
from ..forms import LoginForm
from .common import newsroom_view

THROTTLED = ("Too many failed attempts. Wait a few minutes before trying again, or ask an "
             "administrator to reset your password.")


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "newsroom/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        # Counted before the password is checked, in the same step as the limit check, so
        # concurrent guesses cannot all slip under the limit (throttle.py).
        self.attempt = throttle.begin(username, throttle.client_ip(request))
        if self.attempt is None:
            # The password is not checked at all while throttled (no oracle for guessers).
            form = self.get_form_class()(request, initial={"username": username})
            context = self.get_context_data(form=form, refused=THROTTLED)
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        # The attempt was already counted as a failure by `throttle.begin`.
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        throttle.succeeded(self.attempt, form.get_user().get_username())
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("newsroom:login")


@method_decorator(newsroom_view, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "newsroom/password_change.html"
    success_url = reverse_lazy("newsroom:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Password changed. Your other sessions were logged out.")
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
