from django.urls import path

from training import preference_views, run_views, views

app_name = "training"
urlpatterns = [
    path("p/<slug:slug>/base-models/", views.base_models, name="base-models"),
    path("p/<slug:slug>/base-models/<int:base_model_id>/", views.base_model_card, name="base-model-card"),
    path("p/<slug:slug>/base-models/<int:base_model_id>/use/", views.use_base_model, name="use-base-model"),
    path("p/<slug:slug>/base-models/<int:base_model_id>/recheck/", views.recheck_base_model, name="recheck-base-model"),
    path("p/<slug:slug>/base-models/<int:base_model_id>/remove/", views.remove_base_model, name="remove-base-model"),
    path("p/<slug:slug>/runs/", run_views.run_list, name="run-list"),
    path("p/<slug:slug>/runs/new/", run_views.launch_run, name="launch-run"),
    path("p/<slug:slug>/runs/compare/", run_views.compare_runs, name="compare-runs"),
    path(
        "p/<slug:slug>/versions/<int:version_id>/train-preferences/",
        preference_views.train_on_pairs,
        name="train-on-pairs",
    ),
    path("p/<slug:slug>/runs/<int:run_id>/", run_views.run_detail, name="run"),
    path("p/<slug:slug>/runs/<int:run_id>/cancel/", run_views.cancel_run, name="cancel-run"),
    path("p/<slug:slug>/runs/<int:run_id>/merge/", run_views.merge_run, name="merge-run"),
    path(
        "p/<slug:slug>/runs/<int:run_id>/artifacts/<str:name>/", run_views.download_artifact, name="download-artifact"
    ),
    path(
        "p/<slug:slug>/runs/<int:run_id>/archives/<int:archive_id>/",
        run_views.artifact_archive,
        name="artifact-archive",
    ),
    path(
        "p/<slug:slug>/runs/<int:run_id>/archives/<int:archive_id>/file/",
        run_views.artifact_archive_file,
        name="artifact-archive-file",
    ),
]
