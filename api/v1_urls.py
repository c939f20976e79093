"""/v1/: every request goes to the django-ninja API (api/v1.py), which is imported with the first
such request (api/v1_routes.py), so the pages people use never pay for loading ninja, pydantic and
every schema: Django builds all of a URLconf's routes on the first reverse(), lazily included or not.
"""

from django.urls import path
from django.urls import resolve as resolve_in
from django.views.decorators.csrf import csrf_exempt

ROUTES = "api.v1_routes"


@csrf_exempt  # a token, not a cookie, authenticates every call (api/authentication.py)
def dispatch(request, rest=""):
    match = resolve_in(request.path_info, urlconf=ROUTES)  # no route: Resolver404, a JSON 404 (api/middleware.py)
    return match.func(request, *match.args, **match.kwargs)


urlpatterns = [path("v1/", dispatch), path("v1/<path:rest>", dispatch)]
