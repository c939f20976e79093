from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("p/<slug:slug>/runs/<int:run_id>/evaluate/", views.start_evaluation, name="start-evaluation"),
    path("p/<slug:slug>/evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("p/<slug:slug>/evaluations/<int:evaluation_id>/items/<int:item_id>/to-curation/", views.to_curation, name="to-curation"),
]
