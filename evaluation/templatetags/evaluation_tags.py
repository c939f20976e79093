"""Evaluation's template filters, for pages of lower layers that show an evaluation's outcome
(the run page) without importing evaluation."""

from django import template

register = template.Library()


@register.filter
def gate_of(evaluation):
    """The project's success gate applied to a finished evaluation, or None without a gate."""
    from evaluation.models import SuccessGate

    if evaluation is None or evaluation.status != "succeeded":
        return None
    gate = SuccessGate.objects.filter(project_id=evaluation.project_id).first()
    return gate.result(evaluation) if gate else None
