"""Signals the studio sends so that the apps above it can take part without being imported.

The studio is the lowest layer: it never imports curation, training, evaluation or the API.
Where one of its pages or jobs needs something of theirs, it sends a signal here and the
higher app connects a receiver in its AppConfig.ready.
"""

from django.dispatch import Signal

# Sent while the project's home page is built, with `request` and `project` (membership set).
# Each receiver returns a dict of template context for its part of the page.
project_home = Signal()


def home_context(request, project):
    """The context every receiver of project_home contributes, merged."""
    context = {}
    for _receiver, part in project_home.send(sender=type(project), request=request, project=project):
        context.update(part or {})
    return context
