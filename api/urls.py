from django.urls import path

from api import account_views, docs_views, monitor_views

app_name = "api"
urlpatterns = [
    path("api/docs/", docs_views.api_docs, name="docs"),
    path("p/<slug:slug>/models/<int:run_id>/monitor/", monitor_views.monitor, name="monitor"),
    path("p/<slug:slug>/models/<int:run_id>/monitor/drafts/", monitor_views.make_drafts, name="monitor-drafts"),
    path("p/<slug:slug>/served/<int:completion_id>/draft/", monitor_views.make_draft, name="completion-draft"),
    path("p/<slug:slug>/feedback-rule/", monitor_views.feedback_rule, name="feedback-rule"),
    path("account/tokens/", account_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke-token"),
]
