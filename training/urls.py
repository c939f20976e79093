from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("p/<slug:slug>/models/", views.base_models, name="base-models"),
    path("p/<slug:slug>/models/<int:base_model_id>/", views.base_model_card, name="base-model-card"),
    path("p/<slug:slug>/models/<int:base_model_id>/use/", views.use_base_model, name="use-base-model"),
    path("p/<slug:slug>/models/<int:base_model_id>/recheck/", views.recheck_base_model, name="recheck-base-model"),
    path("p/<slug:slug>/models/<int:base_model_id>/remove/", views.remove_base_model, name="remove-base-model"),
]
