"""The /v1/ routes of the django-ninja API; api/v1_urls.py resolves requests here, and
reverse(name, urlconf="api.v1_routes") names them (e.g. "v1:openapi")."""

from django.urls import include, path

from api.v1 import api

urlpatterns = [path("v1/", include((api.urls[0], "v1")))]
