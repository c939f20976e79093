from django.urls import path

from evaluation import judge_views, playground_views, registry_views, study_views, synthesis_views, views

app_name = "evaluation"
urlpatterns = [
    path("p/<slug:slug>/runs/<int:run_id>/evaluate/", views.start_evaluation, name="start-evaluation"),
    path("p/<slug:slug>/evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path(
        "p/<slug:slug>/evaluations/<int:evaluation_id>/items/<int:item_id>/to-curation/",
        views.to_curation,
        name="to-curation",
    ),
    path("p/<slug:slug>/models/", registry_views.model_registry, name="registry"),
    path("p/<slug:slug>/models/gate/", registry_views.success_gate, name="success-gate"),
    path("p/<slug:slug>/models/<int:run_id>/version-name/", registry_views.rename_model, name="rename-model"),
    path("p/<slug:slug>/models/<int:run_id>/serve-again/", registry_views.serve_again, name="serve-again"),
    path("p/<slug:slug>/serving/", views.serving_backend, name="serving-backend"),
    path("p/<slug:slug>/regression/", views.regression_prompts, name="regression"),
    path("p/<slug:slug>/playground/", playground_views.playground, name="playground"),
    path("p/<slug:slug>/playground/draft/", playground_views.playground_draft, name="playground-draft"),
    path("p/<slug:slug>/studies/", study_views.study_list, name="study-list"),
    path("p/<slug:slug>/studies/new/", study_views.create_study, name="create-study"),
    path("p/<slug:slug>/studies/<int:study_id>/", study_views.study_detail, name="study"),
    path("p/<slug:slug>/studies/<int:study_id>/close/", study_views.close_study, name="close-study"),
    path("p/<slug:slug>/studies/<int:study_id>/preferences/", study_views.export_preferences, name="study-preferences"),
    path("p/<slug:slug>/studies/<int:study_id>/rate/", study_views.rate_next, name="rate-next"),
    path(
        "p/<slug:slug>/studies/<int:study_id>/items/<int:item_id>/to-curation/",
        study_views.loss_to_curation,
        name="study-to-curation",
    ),
    path("p/<slug:slug>/rate/<str:token>/", study_views.rate, name="rate"),
    path("p/<slug:slug>/studies/<int:study_id>/train/", study_views.train_on_votes, name="train-on-votes"),
    path("p/<slug:slug>/synthesis/", synthesis_views.synthesis_page, name="synthesis"),
    path("p/<slug:slug>/synthesis/<int:job_id>/", synthesis_views.synthesis_job, name="synthesis-job"),
    path("p/<slug:slug>/judges/", judge_views.judge_list, name="judges"),
    path("p/<slug:slug>/evaluations/<int:evaluation_id>/judge/", judge_views.judge_evaluation, name="judge-evaluation"),
    path(
        "p/<slug:slug>/evaluations/<int:evaluation_id>/judges/<int:run_id>/",
        judge_views.evaluation_judge_run,
        name="evaluation-judge-run",
    ),
    path("p/<slug:slug>/judges/<int:judge_id>/", judge_views.judge_edit, name="judge"),
    path("p/<slug:slug>/studies/<int:study_id>/judge/", judge_views.run_judge, name="run-judge"),
    path("p/<slug:slug>/studies/<int:study_id>/judges/<int:run_id>/", judge_views.judge_run, name="judge-run"),
]
