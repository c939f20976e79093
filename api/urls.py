from django.urls import path

from api import account_views, views

app_name = "api"
urlpatterns = [
    path("v1/models", views.models, name="models"),
    path("v1/chat/completions", views.chat_completions, name="chat-completions"),
    path("account/tokens/", account_views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke-token"),
]
