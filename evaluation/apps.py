from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"

    def ready(self):
        from evaluation.blinding import receiver
        from studio.signals import hidden_runs

        hidden_runs.connect(receiver, dispatch_uid="evaluation-blinding")
        from evaluation.home import home_context
        from studio.signals import project_home

        project_home.connect(home_context, dispatch_uid="evaluation-home")
