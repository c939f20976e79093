from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self):
        from curation.home import home_context
        from studio.signals import project_home

        project_home.connect(home_context, dispatch_uid="curation-home")
        connection_created.connect(register_fold, dispatch_uid="curation-fold")


def register_fold(sender, connection, **kwargs):
    """SQLite's `studio_fold`, the search's accent- and case-folding (PostgreSQL's comes from
    migration 0019)."""
    if connection.vendor == "sqlite":
        from curation.listing import fold

        connection.connection.create_function("studio_fold", 1, fold, deterministic=True)
