"""The API under /v1/: one NinjaAPI whose routers hold the endpoints and, next to them, the
pydantic schemas that validate their requests and describe their answers. The OpenAPI document
is generated from them (build_schema) and served at /v1/openapi.json."""

from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from api import completions, feedback, files, fine_tuning, served_models
from api.authentication import BearerToken, with_rate_limit_headers
from api.bodies import JsonObjectParser
from api.errors import handle
from api.openapi import complete

api = NinjaAPI(
    title="Studio API",
    version="1",
    auth=BearerToken(),
    parser=JsonObjectParser(),
    openapi_url=None,
    docs_url=None,
    urls_namespace="v1",
)
for error in (Exception, Http404, HttpError, ValidationError):  # ninja's own handlers replaced by the one
    api.add_exception_handler(error, handle)
api.add_decorator(with_rate_limit_headers, mode="view")
for module in (served_models, completions, feedback, files, fine_tuning):
    api.add_router("/", module.router)


def build_schema(server_url="http://localhost:8000"):
    """The whole OpenAPI document as a dict; server_url is where the studio answers."""
    return complete(api.get_openapi_schema(path_prefix="v1/"), server_url)


def server_url(request):
    return request.build_absolute_uri("/").rstrip("/")


@api.get(
    "/openapi.json",
    auth=None,
    response=dict,
    tags=["Schema"],
    operation_id="getOpenAPISchema",
    summary="This API's OpenAPI schema",
    description="No token needed.",
    url_name="openapi",
    openapi_extra={
        "responses": {200: {"description": "The OpenAPI 3.1 document."}},
        "x-python": 'schema = client.get("/openapi.json", cast_to=dict)\nprint(sorted(schema["paths"]))',
    },
)
def openapi(request):
    return JsonResponse(build_schema(server_url(request)), json_dumps_params={"indent": 1})
