"""The blinding rule of A/B studies, in one place.

While a study is not closed (preparing or open), a member who rates it and may not manage studies
(is not a lead) reaches nothing that maps its answers to models: the tuned runs among its systems
are hidden from them everywhere, as if they did not exist (404), on run pages, evaluations,
the registry, monitoring and the API (/v1/models, chat and completions). Leads keep full access:
they chose the systems and read the report. Closing the study reveals everything.

Training, the API and the studio cannot import this module (layers); they ask
studio.signals.hidden_run_ids(membership), which EvaluationConfig.ready connects to `receiver`.
"""

from evaluation.models import Study
from studio import signals
from studio.models import Action

# The rule in plain words: for the study page (leads) and for the rating page (raters)
RULE = (
    "Blind while open: raters of this study who are not leads cannot open the runs it compares. Their run "
    "pages, evaluations, registry entries and monitoring answer “not found”, drafts made from their answers "
    "(corrections, served completions, playground replies) are left out of the raters' lists and queue, and "
    "the API neither lists nor serves them. Closing the study reveals which model wrote what, to everyone."
)
RULE_FOR_RATERS = (
    "This comparison is blind. While the study is open, the models it compares are hidden from you: their "
    "run pages, evaluations, registry entries, monitoring and the drafts made from their answers answer “not "
    "found”, and the API neither lists nor serves them. When the lead closes the study, you see which model wrote what."
)


def blinding_studies(membership):
    """The studies that blind `membership` now: not closed, rated by them, and they are no lead."""
    if membership.can(Action.EVALUATE):
        return Study.objects.none()
    return Study.objects.filter(project_id=membership.project_id, raters=membership.user_id).exclude(
        status=Study.Status.CLOSED
    )


def hidden_run_ids(membership):
    """The ids of the training runs `membership` may not see while its studies are open."""
    return {
        system["run_id"]
        for systems in blinding_studies(membership).values_list("systems", flat=True)
        for system in systems
        if system.get("run_id")
    }


def receiver(sender, membership, **kwargs):
    """studio.signals.hidden_runs' receiver."""
    return hidden_run_ids(membership)


def visible_runs(project):
    """The project's training runs the requesting member (`project.membership`) may see."""
    return project.training_runs.exclude(id__in=signals.hidden_run_ids(project.membership))


def visible_evaluations(project):
    """The project's evaluations the requesting member may see: none of a hidden run."""
    return project.evaluation_runs.exclude(training_run_id__in=signals.hidden_run_ids(project.membership))
