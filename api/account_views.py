import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.models import ApiToken


@login_required
def tokens(request):
    """A person's API tokens: make one (shown once), see when each was last used, revoke."""
    raw = error = name = limit = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        limit = request.POST.get("rate_limit", "").strip()
        if not name:
            error = "Name the token after where it will be used, e.g. “CI pipeline”."
        elif limit and not (re.fullmatch(r"[0-9]{1,7}", limit) and 1 <= int(limit) <= 1_000_000):
            error = "Requests a minute: a whole number from 1 to 1,000,000, or empty for the default."
        else:
            token, raw = ApiToken.issue(request.user, name)
            if limit:
                ApiToken.objects.filter(id=token.id).update(rate_limit_per_minute=int(limit))
            name = limit = ""
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": request.user.api_tokens.all(),
            "raw": raw,
            "error": error,
            "name": name,
            "limit": limit,
            "default_limit": settings.API_RATE_LIMIT_PER_MINUTE,
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(ApiToken, id=token_id, user=request.user)  # only one's own
    ApiToken.objects.filter(id=token.id, revoked_at=None).update(revoked_at=timezone.now())
    messages.success(request, f"“{token.name}” revoked; requests with it are refused from now on.")
    return redirect("api:tokens")
