"""Two-factor authentication for staff with a TOTP app (django-otp): enrol a device, then give
a code after the password at each sign-in. Optional for each staff member; required for the
roles in TWO_FACTOR_REQUIRED_ROLES (HIPAA §164.312(d), person authentication)."""

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.accounts import security
from tracker.web.access import staff_only


class TokenForm(forms.Form):
    otp_token = forms.CharField(label="Code from your authenticator app", min_length=6, max_length=8)


def _next_url(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@staff_only
def setup(request):
    """Enrol a TOTP device: the secret is shown once as text and as an otpauth:// link; the
    device counts only after a first right code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[security.OTP_REQUIRED] = True
            security.record_security_event(kind=security.Kind.OTP_CONFIRMED, request=request, user=request.user)
            return redirect(_next_url(request))
        security.record_security_event(kind=security.Kind.OTP_FAILED, request=request, user=request.user)
        form.add_error("otp_token", "That code is not right; check the time on your phone and try the next code.")
    context = {
        "form": form,
        "secret": base64.b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
        "mode": "setup",
        "next": _next_url(request),
    }
    return render(request, "tracker/two_factor.html", context)


@login_required
def verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            # verify_token throttles repeated failures itself (django-otp's ThrottlingMixin).
            if device.verify_token(form.cleaned_data["otp_token"]):
                otp_login(request, device)
                return redirect(_next_url(request))
        security.record_security_event(kind=security.Kind.OTP_FAILED, request=request, user=request.user)
        form.add_error("otp_token", "That code is not right. Wait for the next code and try again.")
    return render(request, "tracker/two_factor.html", {"form": form, "mode": "verify", "next": _next_url(request)})


@require_POST
@login_required
def sign_out_everywhere(request):
    security.sign_out_everywhere(request=request, user=request.user)
    return redirect("login")
