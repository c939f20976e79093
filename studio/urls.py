from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from studio import views

studio_patterns = (
    [
        path("projects/", views.project_list, name="project-list"),
        path("projects/new/", views.create_project, name="create-project"),
        path("p/<slug:slug>/", views.project_home, name="project-home"),
        path("p/<slug:slug>/settings/", views.project_settings, name="project-settings"),
        path("p/<slug:slug>/members/", views.members, name="members"),
        path("p/<slug:slug>/members/add/", views.add_member, name="add-member"),
        path("p/<slug:slug>/members/<int:membership_id>/role/", views.change_member_role, name="change-member-role"),
        path("p/<slug:slug>/members/<int:membership_id>/remove/", views.remove_member, name="remove-member"),
    ],
    "studio",
)

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="studio:project-list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include(studio_patterns)),
    path("", include("training.urls")),
    path("", include("curation.urls")),
    path("", include("evaluation.urls")),
    path("", include("api.urls")),
    path("", include("api.v1_urls")),  # the API, loaded with its first request
]
