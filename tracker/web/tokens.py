"""A user's own API tokens: create one with a name (shown once), see when each was last used,
revoke one. Tokens act as their user, with the same access as the user's session."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tracker.accounts import services
from tracker.core.errors import problems_of
from tracker.models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    created = None
    problems = []
    if request.method == "POST":
        try:
            _token, created = services.create_api_token(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as error:
            problems = [p.message for p in problems_of(error)]
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "tracker/api_tokens.html",
        {"tokens": tokens, "created": created, "problems": problems, "name": request.POST.get("name", "")},
        status=400 if problems else 200,
    )


@login_required
@require_POST
def revoke_api_token(request, token_key: str):
    services.revoke_api_token(user=request.user, token_key=token_key)
    messages.success(request, "Token revoked: it no longer works.")
    return redirect("api_tokens")
