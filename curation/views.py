import json
import tempfile
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from curation import checking
from curation.core.answer_comparison import compare_records
from curation.core.clusters import said_words
from curation.core.facts import named_detail
from curation.diffs import content_diff as _diff
from curation.forms import ExampleForm, ExportForm, FormatRulesForm, ImportForm, ReviewForm
from curation.listing import (
    PAIR_KINDS,
    SINGLE_KINDS,
    Filters,
    add_previews,
    finding_badges,
    hidden_example_ids,
    page,
    visible,
)
from curation.models import Example, Finding, FormatRuleSet, FormToken, Job, PairFinding, ReviewComment, Revision
from studio.access import project_view, require
from studio.core.formats import human_size, to_object, write_parquet
from studio.models import Action, Role

EDITABLE_BY_AUTHOR = {
    Example.Status.DRAFT,
    Example.Status.CHANGES_REQUESTED,
    Example.Status.SUBMITTED,
    Example.Status.REJECTED,
    Example.Status.APPROVED,
}


def can_edit(project, example, user):
    """Leads edit any example; annotators edit their own."""
    membership = project.membership
    if not membership.can(Action.WRITE_EXAMPLES) or example.deleted_at:
        return False
    return membership.role == Role.LEAD or example.author_id == user.id


def _example(project, example_id):
    examples = visible(Example.objects.select_related("author", "reviewer"), project.membership)
    example = get_object_or_404(examples, project=project, id=example_id)
    example.project = project  # with its base model, already loaded: the check on save needs both
    return example


# --- list -------------------------------------------------------------------------------------


@project_view(Action.VIEW)
def example_list(request, project):
    filters = Filters.from_query(request.GET)
    rows, older, newer = page(
        # only what a row shows: no answers, dates or password hashes read and parsed 50 times
        filters.apply(project)
        .select_related("author")
        .only("id", "instruction", "input", "messages", "status", "author__username"),
        _int(request.GET.get("after")),
        _int(request.GET.get("before")),
    )
    query = filters.as_query()
    context = {
        "project": project,
        "rows": add_previews(rows),
        "badges": finding_badges(rows),
        "filters": filters,
        "next_url": f"?{urlencode({**query, 'after': older})}" if older else "",
        "prev_url": f"?{urlencode({**query, 'before': newer})}" if newer else "",
        "filter_query": urlencode(query),
        "statuses": Example.Status.choices,
        "finding_kinds": SINGLE_KINDS + PAIR_KINDS,
        "authors": project.memberships.order_by("user__username").values_list("user__username", flat=True),
        "is_lead": project.membership.role == Role.LEAD,
    }
    # htmx asks for the rows alone and pushes their URL; what comes back at that URL later (Back,
    # a reload, htmx restoring its history) must be the whole page
    fragment = request.htmx and not request.htmx.history_restore_request and request.GET.get("fragment") == "rows"
    response = render(request, "curation/example_list.html" + ("#example-rows" if fragment else ""), context)
    patch_vary_headers(response, ["HX-Request"])  # the browser's cache keeps the page and the rows apart
    if fragment:
        patch_cache_control(response, no_store=True)
    return response


def _next_or(request, default):
    """The `next` field of a form when it points into this site, else default."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return (
        target
        if target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else default
    )


def _int(value):
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- editor -----------------------------------------------------------------------------------


def _seen(project, pairs):
    """Pair findings without those whose other example this member may not see (a draft holding
    the answers of a run in a blind study they rate: its text, or a contradiction's detail, would
    show what that model wrote)."""
    hidden = hidden_example_ids(project, getattr(project, "membership", None))
    return [p for p in pairs if p[0] not in hidden] if hidden else pairs


def _editor_context(request, project, example, form=None, conflict=None, saved=False):
    single, pairs = checking.findings_of(example) if example and example.pk else ([], [])
    pairs = _oriented(example, _seen(project, pairs))
    if example and example.pk:
        chat = bool(example.messages)
    else:  # a new example: the form knows (a refused POST carries kind=chat, not the query string)
        chat = form.chat if form is not None else request.GET.get("kind") == "chat"
    turns = list(example.messages or []) if example and example.pk else []
    if form is not None and chat:
        turns = form.turns() or turns
    return {
        "project": project,
        "example": example,
        "form": form,
        "conflict": conflict,
        "saved": saved,
        "single_findings": single,
        "pair_findings": pairs,
        "chat": chat,
        "turns": turns + [{"role": "user" if not turns or turns[-1]["role"] != "user" else "assistant", "content": ""}],
        "roles": ["system", "user", "assistant"],
        "can_edit": example is None or not example.pk or can_edit(project, example, request.user),
        "can_review": project.membership.can(Action.REVIEW)
        and example is not None
        and example.pk
        and example.status == Example.Status.SUBMITTED
        and may_review(project, example, request.user),
        "own_submitted": bool(
            example is not None
            and example.pk
            and example.status == Example.Status.SUBMITTED
            and not may_review(project, example, request.user)
        ),
        "review_form": ReviewForm(
            initial={
                "version": example.version,
                "text": request.session.pop(f"review-comment-{example.id}", ""),
            }
        )
        if example is not None and example.pk
        else None,
        "comments": example.comments.select_related("author") if example is not None and example.pk else [],
        "is_lead": project.membership.role == Role.LEAD,
        "can_trash": bool(example is not None and example.pk and can_trash(project, example, request.user)),
        "next_url": _next_for(project, request.user, example) if example is not None and example.pk else "",
    }


def _oriented(example, pairs):
    """Pair findings as (other, kind, detail, worded) with each contradiction's detail told from
    `example`'s side, its own answer first (a stored pair's detail is in the order of whichever
    example was checked to find it), and `worded` True for a duplicate whose answer says the very
    words of `example`'s ("the same answer", not "an answer that agrees")."""
    if not pairs:
        return []
    others = {e.id: e.record() for e in Example.objects.filter(id__in=[other for other, _, _ in pairs])}
    mine = example.record()
    return [
        (
            other,
            kind,
            conflict_detail(mine, others[other]) if other in others and kind == "contradiction" else detail,
            kind != "contradiction" and other in others and said_words(mine) == said_words(others[other]),
        )
        for other, kind, detail in pairs
    ]


def _listed(items):
    """ "#1", "#1 and #2", "#1, #2 and #3"."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def conflict_detail(record, other_record):
    """What differs between two conflicting examples' answers (a preference pair's two answers),
    `record`'s side first ("" when they agree now)."""
    verdict, detail = compare_records(record, other_record)
    return named_detail(record, other_record, detail) if verdict == "conflict" else ""


def _next_for(project, user, example):
    """The next example this person would work on: their next draft or changes-requested one."""
    todo = Example.objects.filter(
        project=project,
        author=user,
        deleted_at=None,
        status__in=[Example.Status.DRAFT, Example.Status.CHANGES_REQUESTED],
    ).exclude(id=example.id)
    nxt = todo.filter(id__gt=example.id).order_by("id").first() or todo.order_by("id").first()
    return reverse("curation:example", args=[project.slug, nxt.id]) if nxt else ""


def _render_editor(request, context, status=200):
    template = "curation/example_editor.html#editor" if request.htmx else "curation/example_editor.html"
    return render(request, template, context, status=status)


@project_view(Action.WRITE_EXAMPLES)
def new_example(request, project):
    chat = request.GET.get("kind") == "chat" or request.POST.get("kind") == "chat"
    form = ExampleForm(request.POST or None, chat=chat, initial={"token": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        example, created = _create_once(project, request.user, form.cleaned_data["content"], form.cleaned_data["token"])
        url = reverse("curation:example", args=[project.slug, example.id])
        if not created:  # the same form sent again: the first request made the example (and said so)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        if request.POST.get("then") == "submit":
            return _submit(request, project, example)
        messages.success(request, "Saved as a draft. Checks ran; see the results beside the text.")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _render_editor(request, _editor_context(request, project, None, form))


def _create_once(project, user, content, token):
    """(example, created): a new checked example, or the one this form's token made already."""
    if token:
        try:
            return _create(project, user, content, token), True
        except IntegrityError:  # the token is taken: by this form's first request, normally
            earlier = FormToken.objects.filter(token=token, example__project=project, example__author=user).first()
            if earlier:
                return _example(project, earlier.example_id), False
    return _create(project, user, content, None), True  # no token, or someone else's: a new example


def _create(project, user, content, token):
    with transaction.atomic():
        example = Example.objects.create(project=project, author=user, **content)
        Revision.record(example, user, "created")
        if token:  # a second request with this token waits here for the first one's commit, then fails
            FormToken.objects.create(token=token, example=example)
        checking.check_example(example)
    return example


@project_view(Action.VIEW)
def example_detail(request, project, example_id):
    """The editor: GET shows the example and its checks; POST saves (refused when someone else
    saved first, with both versions shown and nothing typed lost)."""
    example = _example(project, example_id)
    if request.method != "POST":
        form = ExampleForm(initial={**example.content(), "version": example.version}, chat=example.is_chat)
        context = _editor_context(request, project, example, form)
        if request.GET.get("outlier") == "1":  # opened from the readiness report's outliers
            from curation.readiness import outlier_notes

            context["outlier_notes"] = outlier_notes(project, example.id)
        return _render_editor(request, context)
    require(project.membership, Action.WRITE_EXAMPLES)
    if not can_edit(project, example, request.user):
        raise PermissionDenied("You may edit only the examples you wrote.")
    form = ExampleForm(request.POST, chat=example.is_chat)
    if not form.is_valid():
        return _render_editor(request, _editor_context(request, project, example, form))
    expected = form.cleaned_data.get("version") or 0
    unchanged = form.cleaned_data["content"] == example.content() and expected == example.version
    new_status = Example.Status.DRAFT if example.status != Example.Status.DRAFT else None
    if not unchanged:  # an unchanged save writes nothing: no new version, no revision
        with transaction.atomic():  # the save and its findings: one commit
            saved = example.save_content(
                user=request.user, expected_version=expected, content=form.cleaned_data["content"], status=new_status
            )
            if saved:
                checking.check_example(example)
        if not saved:
            example.refresh_from_db()
            if example.content() != form.cleaned_data["content"]:
                return _conflict(request, project, example)
            # this very text is saved already (the form sent twice): nothing of anyone's is lost
    if request.POST.get("then") == "submit":
        return _submit(request, project, example)
    form = ExampleForm(initial={**example.content(), "version": example.version}, chat=example.is_chat)
    return _render_editor(request, _editor_context(request, project, example, form, saved=True))


def _conflict(request, project, example):
    """Someone saved first: show their version beside what this person typed, which stays in the
    form; the form now carries the new version, so saving again overwrites knowingly. Fields only
    the other person changed take their text in the form, so saving again keeps their edits."""
    example.refresh_from_db()
    latest = example.revisions.select_related("author").first()
    data = request.POST.copy()
    started = data.get("version", "")
    data["version"] = example.version
    form = ExampleForm(data, chat=example.is_chat)
    form.is_valid()
    merge = None
    base = example.revisions.filter(version=int(started)).first() if started.isdigit() else None
    typed = form.cleaned_data.get("content")
    if base is not None and typed and not example.is_chat and not typed.get("messages"):
        # field by field: what only they changed comes into the form, what only you changed stays
        merge = {"theirs": [], "yours": [], "both": []}
        for field in ("instruction", "input", "output", "rejected"):
            mine, was, now = typed[field], getattr(base, field), getattr(example, field)
            if mine == was and now != was:
                data[field] = now
                merge["theirs"].append(field)
            elif mine != was and now == was:
                merge["yours"].append(field)
            elif mine != was and now != was and mine != now:
                merge["both"].append(field)
        form = ExampleForm(data, chat=False)
        form.is_valid()
    conflict = {
        "revision": latest,
        "diff": _diff(form.cleaned_data.get("content") or {}, example.content()),
        "merge": merge,
    }
    return _render_editor(request, _editor_context(request, project, example, form, conflict=conflict))


def _submit(request, project, example):
    if example.status not in (Example.Status.DRAFT, Example.Status.CHANGES_REQUESTED):
        messages.info(request, f"#{example.id} is {example.get_status_display().lower()}; nothing to submit.")
    else:
        errors = example.findings.filter(severity="error").count()
        example.set_status(Example.Status.SUBMITTED, user=request.user, action="submitted")
        messages.success(
            request,
            f"#{example.id} submitted for review."
            + (
                f" It still has {errors} error{'s' if errors != 1 else ''}; the reviewer will see them."
                if errors
                else ""
            ),
        )
    nxt = _next_for(project, request.user, example)
    url = nxt or reverse("curation:example", args=[project.slug, example.id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def submit_example(request, project, example_id):
    example = _example(project, example_id)
    if not can_edit(project, example, request.user):
        raise PermissionDenied("You may submit only the examples you wrote.")
    return _submit(request, project, example)


@project_view(Action.REVIEW)
@require_POST
def review_example(request, project, example_id):
    example = _example(project, example_id)
    form = ReviewForm(request.POST)
    if example.deleted_at:
        messages.error(request, f"#{example.id} was moved to the trash; it cannot be reviewed.")
        return _after_review(request, project, example)
    if example.status != Example.Status.SUBMITTED:
        messages.error(request, f"#{example.id} is {example.get_status_display().lower()}, not waiting for review.")
        return _after_review(request, project, example)
    if not may_review(project, example, request.user):
        raise PermissionDenied(
            "You wrote this example: someone else reviews it (a lead can allow self-review in the project's settings)."
        )
    warning = []
    if form.is_valid() and form.cleaned_data["decision"] == "approve" and request.POST.get("approve_anyway") != "1":
        warning = _errors_of(example)  # approving over errors is a choice the reviewer makes knowingly
    if not form.is_valid() or warning:
        if request.POST.get("from") == "queue":
            context = _queue_context(request, project, example, form)
        else:
            context = _editor_context(
                request,
                project,
                example,
                ExampleForm(initial={**example.content(), "version": example.version}, chat=example.is_chat),
            )
            context["review_form"] = form
        context["approve_warning"] = warning
        if request.POST.get("from") == "queue":
            return render(request, "curation/review_queue.html", context)
        return _render_editor(request, context)
    decision = form.cleaned_data["decision"]
    status = {
        "approve": Example.Status.APPROVED,
        "request_changes": Example.Status.CHANGES_REQUESTED,
        "reject": Example.Status.REJECTED,
    }[decision]
    read_version = form.cleaned_data["version"]
    with transaction.atomic():
        # the decision is about the version the reviewer read: refused if anyone saved since
        if not example.set_status(
            status,
            user=request.user,
            action=ReviewComment.Decision(decision).label.lower(),
            expected_version=read_version,
        ):
            transaction.set_rollback(True)
            changed = True
        else:
            ReviewComment.objects.create(
                example=example,
                author=request.user,
                decision=decision,
                text=form.cleaned_data["text"],
                version=read_version,
            )
            changed = False
    if changed:
        typed = form.cleaned_data["text"]
        if typed.strip():  # kept whole in the review form of the page that follows
            request.session[f"review-comment-{example.id}"] = typed
        messages.error(
            request,
            f"#{example.id} changed while you were reading it; here is the new version."
            + (" Your comment is still in the review form." if typed.strip() else ""),
        )
        return redirect("curation:example", project.slug, example.id)
    messages.success(request, f"#{example.id}: {ReviewComment.Decision(decision).label.lower()}.")
    return _after_review(request, project, example)


def _with_errors(project):
    """A subquery of the project's examples with error findings or in a contradiction."""
    contradictions = PairFinding.objects.filter(project=project, kind="contradiction")
    return (
        Example.objects.filter(project=project)
        .filter(
            Q(id__in=Finding.objects.filter(project=project, severity="error").values("example_id"))
            | Q(id__in=contradictions.values("low_id"))
            | Q(id__in=contradictions.values("high_id"))
        )
        .values("id")
    )


def _errors_of(example):
    """What still makes an example wrong (error findings, contradictions), in words."""
    single, pairs = checking.findings_of(example)
    pairs = _seen(example.project, pairs)
    return [f.message for f in single if f.severity == "error"] + [
        f"contradicts #{other}{': ' + detail if detail else ''}"
        for other, kind, detail in pairs
        if kind == "contradiction"
    ]


def _after_review(request, project, example):
    url = (
        reverse("curation:review-queue", args=[project.slug])
        if request.POST.get("from") == "queue"
        else reverse("curation:example", args=[project.slug, example.id])
    )
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@project_view(Action.VIEW)
def example_history(request, project, example_id):
    example = _example(project, example_id)
    revisions = list(example.revisions.select_related("author", "redacted_by"))
    entries = []
    for newer, older in zip(revisions, revisions[1:] + [None]):
        entries.append(
            {"revision": newer, "diff": _diff(older_content(older), older_content(newer)) if older else None}
        )
    return render(
        request,
        "curation/example_history.html",
        {
            "project": project,
            "example": example,
            "entries": entries,
            "comments": example.comments.select_related("author"),
        },
    )


@project_view(Action.MANAGE_PROJECT, doing="redact personal data from an example's history")
@require_POST
def redact_history(request, project, example_id):
    from curation.redaction import describe
    from curation.redaction import redact_history as redact

    example = _example(project, example_id)
    removed = redact(example, request.user)
    if removed:
        messages.success(request, f"Redacted from the history of #{example.id}: {describe(removed)}.")
        if example.findings.filter(kind="pii").exists():
            messages.info(request, "The example's current text still holds personal data: edit it to remove that too.")
    else:
        messages.info(request, f"No personal data found in the history of #{example.id}.")
    return redirect("curation:example-history", project.slug, example.id)


def older_content(revision):
    return {
        "instruction": revision.instruction,
        "input": revision.input,
        "output": revision.output,
        "messages": revision.messages,
        "rejected": revision.rejected,
    }


def can_trash(project, example, user):
    """Leads move any example to the trash (and back); an annotator only their own drafts, which
    no reviewer has seen (a submitted or approved example is the team's)."""
    membership = project.membership
    if membership.role == Role.LEAD:
        return True
    return (
        membership.can(Action.WRITE_EXAMPLES)
        and example.author_id == user.id
        and example.status in (Example.Status.DRAFT, Example.Status.CHANGES_REQUESTED)
    )


@project_view(Action.WRITE_EXAMPLES, doing="move examples to the trash")
@require_POST
def delete_example(request, project, example_id):
    example = _example(project, example_id)
    if not can_trash(project, example, request.user):
        raise PermissionDenied("You may move only your own drafts to the trash; ask a lead for others.")
    with transaction.atomic():
        example.move_to_trash(user=request.user)
        checking.forget_example(example)
    messages.success(request, f"#{example.id} moved to the trash; it can be restored from there.")
    return redirect(_next_or(request, reverse("curation:example-list", args=[project.slug])))


@project_view(Action.WRITE_EXAMPLES, doing="restore examples from the trash")
@require_POST
def restore_example(request, project, example_id):
    example = _example(project, example_id)
    if not can_trash(project, example, request.user):
        raise PermissionDenied("You may restore only your own drafts; ask a lead for others.")
    with transaction.atomic():
        example.restore(user=request.user)
        checking.check_example(example)
    messages.success(request, f"#{example.id} restored.")
    return redirect("curation:example", project.slug, example.id)


# --- checks as one types ---------------------------------------------------------------------

LIVE_CHECK_MAX_CHARS = 1_000_000  # longer texts are checked on Save only, not on every pause in typing


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def live_check(request, project, example_id=None):
    """The findings panel for the editor's text as typed: what saving it would find, with the same
    wording, storing nothing (no revision, no finding). A new example when example_id is None."""
    if example_id is None:
        if request.POST.get("kind", "") not in ("", "chat"):
            return _live_refusal(request, project, "kind must be “chat” or left out.")
        example, chat = Example(project=project), request.POST.get("kind") == "chat"
    else:
        example = _example(project, example_id)
        if not can_edit(project, example, request.user):
            raise PermissionDenied("You may check only the examples you may edit.")
        chat = example.is_chat
    problem = _malformed_turns(request.POST) if chat else None
    if problem:
        return _live_refusal(request, project, problem)
    form = ExampleForm(request.POST, chat=chat)
    if not form.is_valid():
        return _live_refusal(request, project, " ".join(e for errors in form.errors.values() for e in errors))
    content = form.cleaned_data["content"]
    size = sum(len(v or "") for k, v in content.items() if k != "messages") + sum(
        len(t["content"]) for t in content["messages"] or []
    )
    if size > LIVE_CHECK_MAX_CHARS:
        return _live_refusal(
            request, project, f"The text is {size:,} characters, too long to check as you type; Save checks it."
        )
    for name, value in content.items():
        setattr(example, name, value)
    single, pairs = checking.preview(example)
    pairs = _seen(project, pairs)
    return render(
        request,
        "curation/findings.html",
        {"project": project, "live": True, **_as_displayed(example, single, pairs)},
    )


def _malformed_turns(data):
    """Why the posted chat turns cannot be read as the editor posts them (role_N and content_N,
    numbered from 0), or None. Save would silently drop such turns; as one types, say so."""
    numbers = {}
    for key in data:
        field, _, n = key.partition("_")
        if field in ("role", "content") and n:
            if not n.isdigit() or len(n) > 4:
                return f"{key}: a turn's number must be a whole number from 0, like role_0 and content_0."
            numbers.setdefault(int(n), set()).add(field)
    for n in sorted(numbers):
        missing = {"role", "content"} - numbers[n]
        if missing:
            return f"Turn {n + 1} has no {missing.pop()}_{n}: each turn is posted as role_{n} and content_{n}."
    expected = list(range(len(numbers)))
    if sorted(numbers) != expected:
        gap = next(n for n in expected if n not in numbers)
        return f"Turn {gap + 1} (role_{gap}, content_{gap}) is missing: turns are numbered from 0 without gaps."
    return None


def _live_refusal(request, project, message):
    """400 with the reason, shown in the findings panel (studio.js lets this one swap in)."""
    return render(request, "curation/findings.html", {"project": project, "live": True, "refusal": message}, status=400)


def _as_displayed(example, single, pairs):
    """A preview's findings in the shapes and order the panel shows saved ones in
    (checking.findings_of): unsaved Finding rows by severity and kind, pairs by kind and ids."""
    rows = [Finding(kind=f.check, severity=f.severity, message=f.message, field=f.field) for f in single]
    rows.sort(key=lambda f: (f.severity, f.kind))
    me = example.id or 0
    ordered = sorted(pairs, key=lambda p: (p[1], min(me, p[0]), max(me, p[0])))
    return {"single_findings": rows, "pair_findings": _oriented(example, ordered)}


# --- review queue -----------------------------------------------------------------------------


@project_view(Action.REVIEW)
def review_queue(request, project):
    """The next submitted example (oldest first, never one's own), with the most similar
    approved examples beside it."""
    skip = _int(request.GET.get("skip"))
    waiting = _waiting(project, request.user)
    example = (waiting.filter(id__gt=skip) if skip else waiting).select_related("author").order_by("id").first()
    return render(request, "curation/review_queue.html", _queue_context(request, project, example))


def may_review(project, example, user):
    """One rule, in the queue and the editor: an author reviews their own example only where the
    project allows it (Settings)."""
    return project.self_review or example.author_id != user.id


def _waiting(project, user):
    waiting = visible(
        Example.objects.filter(project=project, status=Example.Status.SUBMITTED, deleted_at=None), project.membership
    )
    return waiting if project.self_review else waiting.exclude(author=user)


def _queue_context(request, project, example, form=None):
    context = {"project": project, "example": example, "remaining": _waiting(project, request.user).count()}
    if example:
        single, pairs = checking.findings_of(example)
        pairs = _oriented(example, _seen(project, pairs))
        hidden = hidden_example_ids(project, project.membership)
        context.update(
            single_findings=single,
            pair_findings=pairs,
            similar=[(e, alike) for e, alike in checking.similar_approved(example) if e.id not in hidden],
            review_form=form or ReviewForm(initial={"version": example.version}),
        )
    return context


# --- bulk actions -----------------------------------------------------------------------------

BULK_ACTIONS = {"approve": "Approve", "reject": "Reject", "delete": "Delete"}


@project_view(Action.MANAGE_PROJECT, doing="approve, reject or delete examples in bulk")
def bulk_action(request, project):
    """Approve, reject or delete every example matching the list's filters (leads). A GET shows
    how many that is and asks to confirm; the POST does it."""
    params = request.POST if request.method == "POST" else request.GET
    filters = Filters.from_query(params)
    action = params.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose approve, reject or delete.")
        return redirect(reverse("curation:example-list", args=[project.slug]) + "?" + urlencode(filters.as_query()))
    qs = filters.apply(project)
    ready = None
    synthetic_left = 0
    if action == "approve":  # nothing generated reaches a version without a reviewer's own look
        synthetic_left = qs.filter(synthetic__isnull=False).exclude(status=Example.Status.APPROVED).count()
        qs = qs.filter(synthetic__isnull=True)
        # submitted and without errors: what a reviewer would approve one by one
        wrong = _with_errors(project)
        ready = qs.filter(status=Example.Status.SUBMITTED).exclude(id__in=wrong)
        if params.get("only_ready") == "1":
            qs = ready
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        context = {
            "project": project,
            "action": action,
            "label": BULK_ACTIONS[action],
            "count": qs.count(),
            "filters": filters,
            "query": urlencode(filters.as_query()),
            "synthetic_left": synthetic_left,
        }
        if ready is not None:
            context.update(
                ready=ready.count(),
                unsubmitted=qs.exclude(status__in=[Example.Status.SUBMITTED, Example.Status.APPROVED]).count(),
                with_errors=qs.filter(id__in=wrong).count(),
            )
        return render(request, "curation/bulk_confirm.html", context)
    ids = list(qs.values_list("id", flat=True))
    now = timezone.now()
    with transaction.atomic():
        from django.db.models import F

        targets = Example.objects.filter(id__in=ids)
        if action == "delete":
            targets.update(deleted_at=now, version=F("version") + 1)
        else:
            status = Example.Status.APPROVED if action == "approve" else Example.Status.REJECTED
            targets.update(status=status, reviewer=request.user, reviewed_at=now, version=F("version") + 1)
        Revision.objects.bulk_create(
            [
                Revision(
                    example=e,
                    version=e.version,
                    author=request.user,
                    action=f"bulk {action}",
                    status=e.status,
                    instruction=e.instruction,
                    input=e.input,
                    output=e.output,
                    messages=e.messages,
                )
                for e in Example.objects.filter(id__in=ids)
            ],
            batch_size=1000,
        )
        if action == "delete":
            checking.forget_examples(ids)
    messages.success(request, f"{BULK_ACTIONS[action].rstrip('e')}ed {len(ids)} example{'s' if len(ids) != 1 else ''}.")
    return redirect(reverse("curation:example-list", args=[project.slug]))


# --- format rules -----------------------------------------------------------------------------


@project_view(Action.MANAGE_PROJECT)
def format_rules(request, project):
    current = checking.project_rules(project)
    form = FormatRulesForm(request.POST or None, initial=FormatRulesForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        FormatRuleSet.objects.update_or_create(
            project=project, defaults={"rules": form.cleaned_data["rules"].as_dict(), "updated_by": request.user}
        )
        messages.success(
            request,
            "Format rules saved. New saves are checked with them; run the dataset check to apply them to every example.",
        )
        return redirect("curation:format-rules", project.slug)
    return render(
        request,
        "curation/format_rules.html",
        {"project": project, "form": form, "has_tokenizer": checking.token_counter(project) is not None},
    )


# --- whole-dataset checks -----------------------------------------------------------------------


@project_view(Action.VIEW)
def check_report(request, project):
    """Duplicate and contradiction clusters side by side, with the other findings counted."""
    from curation.models import SilencedPair
    from curation.report import clusters_for, telling_apart

    kind = request.GET.get("kind", "contradiction")
    kind = kind if kind in (*PAIR_KINDS, "silenced") else "contradiction"
    hidden = hidden_example_ids(project, project.membership)
    silenced = SilencedPair.objects.filter(project=project).exclude(low__in=hidden).exclude(high__in=hidden)
    silenced_count = silenced.count()
    if kind == "silenced":
        clusters, total = [], 0
        silenced = list(silenced.select_related("low", "high", "by").order_by("-created_at", "-id")[:200])
        for pair in silenced:
            pair.lines = telling_apart(pair.low, pair.high)
    else:
        clusters, total = clusters_for(project, kind, limit=50, hidden=hidden)
        silenced = []
    if kind == "contradiction":  # "#3 and #312: …" names #3's answer first, whichever was checked last
        for cluster in clusters:
            cluster["pairs"] = [
                (a, b, conflict_detail(a.record(), b.record()) if a and b else detail)
                for a, b, detail in cluster["pairs"]
            ]
    elif kind == "duplicate":  # how the prompts are alike, then the answers, as the editor says it
        for cluster in clusters:
            cluster["pairs"] = [
                (
                    a,
                    b,
                    f"{detail or 'the same prompt'} and "
                    + (
                        "the same answer"
                        if a and b and said_words(a.record()) == said_words(b.record())
                        else "answers that agree"
                    ),
                )
                for a, b, detail in cluster["pairs"]
            ]
    for cluster in clusters:  # "Keep #4 and move #7 and #9 to the trash?"
        ids = [e.id for e in cluster["examples"]]
        cluster["keep_prompts"] = {
            i: f"Keep #{i} and move {_listed([f'#{o}' for o in ids if o != i])} to the trash?" for i in ids
        }
    from django.db.models import Count

    from curation.models import Finding, PairFinding

    counts = dict(Finding.objects.filter(project=project).values_list("kind").annotate(n=Count("id")).order_by())
    counts.update(
        dict(PairFinding.objects.filter(project=project).values_list("kind").annotate(n=Count("id")).order_by())
    )
    # the last full check: a scan, or an import large enough to check the whole project
    job = (
        Job.objects.filter(project=project)
        .filter(Q(kind=Job.Kind.SCAN) | Q(kind=Job.Kind.IMPORT, details__scanned=True))
        .first()
    )
    last_import = Job.objects.filter(project=project, kind=Job.Kind.IMPORT, status=Job.Status.SUCCEEDED).first()
    return render(
        request,
        "curation/check_report.html",
        {
            "project": project,
            "clusters": clusters,
            "total_clusters": total,
            "kind": kind,
            "counts": counts,
            "silenced": silenced,
            "silenced_count": silenced_count,
            "job": job,
            "last_import": last_import
            if last_import and (not job or last_import.created_at > job.created_at)
            else None,
            "is_lead": project.membership.role == Role.LEAD,
        },
    )


@project_view(Action.MANAGE_PROJECT)
@require_POST
def start_scan(request, project):
    running = Job.objects.filter(
        project=project, kind=Job.Kind.SCAN, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).first()
    job = running or Job.objects.create(project=project, kind=Job.Kind.SCAN, user=request.user)
    if not running:
        job.enqueue()
    return redirect("curation:job", project.slug, job.id)


@project_view(Action.MANAGE_PROJECT, doing="mark pairs of examples as intended variation")
@require_POST
def silence_pair(request, project, low_id, high_id):
    from curation.models import PairFinding, SilencedPair

    low, high = sorted((_example(project, low_id), _example(project, high_id)), key=lambda e: e.id)
    SilencedPair.objects.get_or_create(
        project=project,
        low=low,
        high=high,
        defaults={"by": request.user, "reason": request.POST.get("reason", "").strip()[:500]},
    )
    PairFinding.objects.filter(low=low, high=high).delete()
    messages.success(
        request,
        f"#{low.id} and #{high.id} marked as intended variation; they will not be reported as a pair again. "
        "To undo it, use Report again under Intended variation on the check report.",
    )
    return redirect(_next_or(request, reverse("curation:check-report", args=[project.slug])))


@project_view(Action.MANAGE_PROJECT, doing="report pairs of examples again")
@require_POST
def unsilence_pair(request, project, low_id, high_id):
    """Undo "intended variation": the pair is checked again at once, so a finding it still is comes back."""
    from curation.models import PairFinding, SilencedPair

    low, high = sorted((_example(project, low_id), _example(project, high_id)), key=lambda e: e.id)
    # pairs marked before the ends were stored in id order may be stored the other way round
    deleted, _ = SilencedPair.objects.filter(Q(low=low, high=high) | Q(low=high, high=low), project=project).delete()
    back = redirect(_next_or(request, reverse("curation:check-report", args=[project.slug]) + "?kind=silenced"))
    if not deleted:
        messages.error(request, f"#{low.id} and #{high.id} were not marked as intended variation; nothing changed.")
        return back
    live = [e for e in (low, high) if e.deleted_at is None]
    if len(live) == 2:
        checking.check_example(high)
    finding = PairFinding.objects.filter(low=low, high=high).first()
    if finding:
        said = f"the checks find them a {finding.kind} pair again"
    elif len(live) < 2:
        said = "one of them is in the trash"
    else:
        said = "the checks no longer find them a pair"
    messages.success(request, f"#{low.id} and #{high.id} will be reported again; {said}.")
    return back


@project_view(Action.MANAGE_PROJECT, doing="move examples to the trash")
@require_POST
def keep_one(request, project, example_id):
    """Keep this example of a cluster and move the others the lead saw (posted as `shown`) to the
    trash; nothing moves when the cluster has changed since the page was drawn."""
    from curation.report import cluster_of

    keep = _example(project, example_id)
    back = redirect(_next_or(request, reverse("curation:check-report", args=[project.slug])))
    kind = request.POST.get("kind")
    shown = {i for i in map(_int, request.POST.getlist("shown")) if i}
    if kind not in PAIR_KINDS or keep.id not in shown:
        messages.error(request, "Nothing was moved: keep one from a cluster on the check report.")
        return back
    with transaction.atomic():
        # lock what was shown, so a save or a second lead cannot change it between the look and the move
        shown_examples = list(
            Example.objects.select_for_update().filter(project=project, id__in=shown, deleted_at=None).order_by("id")
        )
        now = cluster_of(project, kind, keep.id)
        if now != shown or len(shown_examples) != len(shown):
            messages.error(request, _cluster_changed(shown, now))
            return back
        dropped = [e for e in shown_examples if e.id != keep.id]
        for example in dropped:
            example.move_to_trash(user=request.user, action=f"deleted, #{keep.id} kept")
        checking.forget_examples([e.id for e in dropped])
    messages.success(request, f"Kept #{keep.id}; moved {_listed([f'#{e.id}' for e in dropped])} to the trash.")
    return back


def _cluster_changed(shown, now):
    def ids(group):
        return ", ".join(f"#{i}" for i in sorted(group))

    changes = []
    if now - shown:
        changes.append(f"{ids(now - shown)} joined it")
    if shown - now:
        changes.append(f"{ids(shown - now)} left it or went to the trash")
    return (
        f"Nothing was moved: this cluster changed since the page was shown ({'; '.join(changes)}). "
        "Look at it again and choose."
    )


# the project tab a job's page belongs under: where it was started
JOB_TABS = {
    Job.Kind.SCAN: "checks",
    Job.Kind.IMPORT: "import",
    Job.Kind.FREEZE: "versions",
    Job.Kind.PREFLIGHT: "versions",
    Job.Kind.EXPORT: "versions",
    Job.Kind.READINESS: "stats",
}


@project_view(Action.VIEW)
def job_detail(request, project, job_id):
    job = get_object_or_404(Job, project=project, id=job_id)
    if job.kind == Job.Kind.IMPORT and job.user_id != request.user.id and project.membership.role != Role.LEAD:
        raise PermissionDenied("This import belongs to someone else.")  # its errors quote their file
    template = "curation/job.html#job-status" if request.htmx else "curation/job.html"
    tab = JOB_TABS[job.kind]
    return render(request, template, {"project": project, "job": job, "tab": tab})


# --- import and export ------------------------------------------------------------------------


@project_view(Action.WRITE_EXAMPLES)
def import_examples(request, project):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from django.conf import settings

        upload = form.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                f"The file is {human_size(upload.size)}; the limit is {human_size(settings.MAX_UPLOAD_BYTES)}. Split it into smaller files.",
            )
        else:
            job = Job.objects.create(
                project=project,
                kind=Job.Kind.IMPORT,
                user=request.user,
                upload=upload,
                filename=upload.name[:255],
                details={"status": form.cleaned_data["status"]},
            )
            job.enqueue()
            return redirect("curation:job", project.slug, job.id)
    jobs = Job.objects.filter(project=project, kind=Job.Kind.IMPORT, user=request.user)[:5]
    return render(request, "curation/import.html", {"project": project, "form": form, "jobs": jobs})


@project_view(Action.MANAGE_PROJECT)
def export_examples(request, project):
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(
            request, "curation/export.html", {"project": project, "form": form if request.GET else ExportForm()}
        )
    qs = Example.objects.filter(project=project, deleted_at=None).order_by("id")
    if form.cleaned_data["status"] == "approved":
        qs = qs.filter(status=Example.Status.APPROVED)
    fmt = form.cleaned_data["form"]
    if fmt == "preference":  # only the preference pairs have this form
        qs = qs.exclude(rejected="").filter(messages__isnull=True)
        if not qs.exists():
            form.add_error(
                "form",
                "No preference pairs to export: an example becomes one when it has a rejected answer "
                "(write one in the editor, or import prompt/chosen/rejected lines).",
            )
            return render(request, "curation/export.html", {"project": project, "form": form})
    if fmt in ("alpaca", "prompt_completion"):
        blocked = []
        for example in qs.filter(messages__isnull=False).only("id", "messages"):
            try:
                to_object(example.record(), fmt)
            except ValueError:
                blocked.append(example.id)
        if blocked:
            names = ", ".join(f"#{i}" for i in blocked[:10]) + (
                f" and {len(blocked) - 10} more" if len(blocked) > 10 else ""
            )
            form.add_error(
                "form",
                f"{len(blocked)} multi-turn chat{'s have' if len(blocked) != 1 else ' has'} no {fmt.replace('_', '/')} form ({names}); export as chat or parquet.",
            )
            return render(request, "curation/export.html", {"project": project, "form": form})
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "parquet":
        tmp = tempfile.NamedTemporaryFile(suffix=".parquet")
        write_parquet((e.record() for e in qs.iterator(chunk_size=2000)), tmp.name)
        tmp.seek(0)
        return FileResponse(tmp, as_attachment=True, filename=f"{project.slug}-{stamp}.parquet")

    def lines():
        for example in qs.iterator(chunk_size=2000):
            yield json.dumps(to_object(example.record(), fmt), ensure_ascii=False) + "\n"

    response = StreamingHttpResponse(lines(), content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.slug}-{fmt}-{stamp}.jsonl"'
    return response
