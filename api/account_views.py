from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from api.models import ApiToken


@login_required
def tokens(request):
    """A person's API tokens: make one (shown once), see when each was last used, revoke."""
    raw = ""
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            error = "Name the token after where it will be used, e.g. “CI pipeline”."
        else:
            _, raw = ApiToken.issue(request.user, name)
    return render(request, "api/tokens.html", {"tokens": request.user.api_tokens.all(), "raw": raw, "error": error})


@login_required
@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(ApiToken, id=token_id, user=request.user)  # only one's own
    ApiToken.objects.filter(id=token.id, revoked_at=None).update(revoked_at=timezone.now())
    messages.success(request, f"“{token.name}” revoked; requests with it are refused from now on.")
    return redirect("api:tokens")
