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


# Sent to learn which training runs a member may not see, with `membership` (for example the runs
# in a blind study they rate while it is open). Each receiver returns a set of run ids. Every page
# and API route about runs, their evaluations, outputs or serving treats those runs as missing (404).
hidden_runs = Signal()


def hidden_run_ids(membership):
    """The ids of the runs hidden from `membership`, as every receiver of hidden_runs says; asked
    once per membership object (one request)."""
    cached = getattr(membership, "_hidden_run_ids", None)
    if cached is None:
        cached = set()
        for _receiver, part in hidden_runs.send(sender=type(membership), membership=membership):
            cached.update(part or ())
        membership._hidden_run_ids = frozenset(cached)
        cached = membership._hidden_run_ids
    return cached
