from django.urls import path

from api import account_views, docs_views, monitor_views, views

app_name = "api"
urlpatterns = [
    path("v1/models", views.models, name="models"),
    path("v1/chat/completions", views.chat_completions, name="chat-completions"),
    path("v1/completions", views.completions, name="completions"),
    path("v1/models/<str:model_id>", views.model, name="model"),
    path("v1/feedback", views.feedback, name="feedback"),
    path("v1/files", views.files, name="files"),
    path("v1/fine_tuning/jobs", views.fine_tuning_jobs, name="jobs"),
    path("v1/fine_tuning/jobs/<str:job_id>", views.fine_tuning_job, name="job"),
    path("v1/fine_tuning/jobs/<str:job_id>/events", views.fine_tuning_events, name="job-events"),
    path("v1/fine_tuning/jobs/<str:job_id>/cancel", views.cancel_fine_tuning_job, name="cancel-job"),
    path("v1/openapi.json", docs_views.openapi, name="openapi"),
    path("api/docs/", docs_views.api_docs, name="docs"),
    path("p/<slug:slug>/models/<int:run_id>/monitor/", monitor_views.monitor, name="monitor"),
    path("p/<slug:slug>/models/<int:run_id>/monitor/drafts/", monitor_views.make_drafts, name="monitor-drafts"),
    path("p/<slug:slug>/served/<int:completion_id>/draft/", monitor_views.make_draft, name="completion-draft"),
    path("p/<slug:slug>/feedback-rule/", monitor_views.feedback_rule, name="feedback-rule"),
    path("account/tokens/", account_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke-token"),
]
