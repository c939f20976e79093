from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"

    def ready(self):
        from evaluation.blinding import receiver
        from studio.signals import hidden_runs

        hidden_runs.connect(receiver, dispatch_uid="evaluation-blinding")
