from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self):
        from curation.home import home_context
        from studio.signals import project_home

        project_home.connect(home_context, dispatch_uid="curation-home")
