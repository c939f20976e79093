from django.urls import path

from curation import version_views, views

app_name = "curation"
urlpatterns = [
    path("p/<slug:slug>/examples/", views.example_list, name="example-list"),
    path("p/<slug:slug>/examples/new/", views.new_example, name="new-example"),
    path("p/<slug:slug>/examples/new/check/", views.live_check, name="live-check-new"),
    path("p/<slug:slug>/examples/bulk/", views.bulk_action, name="bulk-action"),
    path("p/<slug:slug>/examples/<int:example_id>/", views.example_detail, name="example"),
    path("p/<slug:slug>/examples/<int:example_id>/check/", views.live_check, name="live-check"),
    path("p/<slug:slug>/examples/<int:example_id>/submit/", views.submit_example, name="submit-example"),
    path("p/<slug:slug>/examples/<int:example_id>/review/", views.review_example, name="review-example"),
    path("p/<slug:slug>/examples/<int:example_id>/history/", views.example_history, name="example-history"),
    path("p/<slug:slug>/examples/<int:example_id>/history/redact/", views.redact_history, name="redact-history"),
    path("p/<slug:slug>/examples/<int:example_id>/delete/", views.delete_example, name="delete-example"),
    path("p/<slug:slug>/examples/<int:example_id>/restore/", views.restore_example, name="restore-example"),
    path("p/<slug:slug>/examples/<int:example_id>/keep/", views.keep_one, name="keep-one"),
    path("p/<slug:slug>/review/", views.review_queue, name="review-queue"),
    path("p/<slug:slug>/rules/", views.format_rules, name="format-rules"),
    path("p/<slug:slug>/checks/", views.check_report, name="check-report"),
    path("p/<slug:slug>/checks/run/", views.start_scan, name="start-scan"),
    path("p/<slug:slug>/pairs/<int:low_id>-<int:high_id>/silence/", views.silence_pair, name="silence-pair"),
    path("p/<slug:slug>/pairs/<int:low_id>-<int:high_id>/report-again/", views.unsilence_pair, name="unsilence-pair"),
    path("p/<slug:slug>/jobs/<int:job_id>/", views.job_detail, name="job"),
    path("p/<slug:slug>/import/", views.import_examples, name="import"),
    path("p/<slug:slug>/export/", views.export_examples, name="export"),
    path("p/<slug:slug>/stats/", version_views.statistics, name="stats"),
    path("p/<slug:slug>/readiness/", version_views.readiness, name="readiness"),
    path("p/<slug:slug>/readiness/unify/", version_views.unify_phrasing, name="unify-phrasing"),
    path("p/<slug:slug>/versions/", version_views.version_list, name="version-list"),
    path("p/<slug:slug>/versions/new/", version_views.freeze_version, name="freeze-version"),
    path("p/<slug:slug>/versions/<int:version_id>/", version_views.version_detail, name="version"),
    path("p/<slug:slug>/versions/<int:version_id>/compare/", version_views.compare_versions, name="compare-versions"),
    path("p/<slug:slug>/versions/<int:version_id>/preflight/", version_views.preflight, name="preflight"),
    path(
        "p/<slug:slug>/versions/<int:version_id>/readiness/", version_views.version_readiness, name="version-readiness"
    ),
    path("p/<slug:slug>/versions/<int:version_id>/export/", version_views.export_version, name="export-version"),
    path(
        "p/<slug:slug>/versions/<int:version_id>/export/<int:job_id>/",
        version_views.download_export,
        name="download-export",
    ),
    path(
        "p/<slug:slug>/versions/<int:version_id>/preflight/<int:item_id>/",
        version_views.preflight_item,
        name="preflight-item",
    ),
    path(
        "p/<slug:slug>/versions/<int:version_id>/diff/<int:other_id>/", version_views.version_diff, name="version-diff"
    ),
]
