"""The model registry: recipes and lineage (evaluation/registry.py), the page and renaming
(evaluation/registry_views.py), and a lead renaming a model in Chromium."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from curation.core.splits import SplitConfig
from curation.models import Example
from curation.versions import freeze
from evaluation import registry
from evaluation.models import Assignment, EvaluationRun, Study, Vote
from tests.conftest import sign_in
from training.models import BaseModel, TrainingRun

pytestmark = pytest.mark.django_db


def url(name, people, *args):
    app = "evaluation" if name in ("registry", "rename-model", "serve-again") else "training"
    return reverse(f"{app}:{name}", args=[people.project.slug, *args])


def text_of(response):
    """The page as a person reads it: inline tags dropped, other tags a space, entities decoded,
    spaces collapsed."""
    html = re.sub(r"</?(a|strong|em|span|code)\b[^>]*>", "", response.content.decode())
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- recipes: plain strings ------------------------------------------------------------------------


def test_lora_recipe_serves_the_adapter_under_its_model_id():
    recipe = registry.serving_recipe("run-12", base_path="/models/llama", adapter_dir="/runs/12/adapter", lora_rank=16)
    assert recipe.tgi == "text-generation-launcher --model-id /models/llama --lora-adapters run-12=/runs/12/adapter"
    assert recipe.vllm == "vllm serve /models/llama --enable-lora --lora-modules run-12=/runs/12/adapter"
    assert recipe.vllm_source == "adapter"


def test_a_merged_folder_is_what_vllm_serves_and_tgi_keeps_the_adapter():
    recipe = registry.serving_recipe(
        "run-12", base_path="/models/llama", adapter_dir="/runs/12/adapter", merged_dir="/runs/12/merged", lora_rank=64
    )
    assert recipe.vllm == "vllm serve /runs/12/merged --served-model-name run-12"
    assert recipe.tgi == "text-generation-launcher --model-id /models/llama --lora-adapters run-12=/runs/12/adapter"
    assert recipe.vllm_source == "merged"


@pytest.mark.parametrize(("rank", "flag"), [(8, None), (16, None), (24, 32), (64, 64), (300, 320)])
def test_vllm_is_told_the_adapter_rank_above_its_default(rank, flag):
    line = registry.serving_recipe("run-3", base_path="/m", adapter_dir="/a", lora_rank=rank).vllm
    assert line.endswith(f" --max-lora-rank {flag}") if flag else "--max-lora-rank" not in line


def test_paths_with_spaces_are_quoted_for_the_shell():
    recipe = registry.serving_recipe("run-4", base_path="/models/my model", adapter_dir="/runs/4 (copy)/adapter")
    assert (
        recipe.tgi
        == "text-generation-launcher --model-id '/models/my model' --lora-adapters 'run-4=/runs/4 (copy)/adapter'"
    )


def test_a_full_fine_tune_is_served_from_its_model_folder_and_nothing_serves_nothing():
    recipe = registry.serving_recipe("run-5", base_path="/m", model_dir="/runs/5/model")
    assert (recipe.tgi, recipe.vllm) == (
        "text-generation-launcher --model-id /runs/5/model",
        "vllm serve /runs/5/model --served-model-name run-5",
    )
    assert registry.serving_recipe("run-6", base_path="/m") is None


# --- lineage from the database -------------------------------------------------------------------


def make_run(
    people, version, base, tmp_path, name, *, status=TrainingRun.Status.SUCCEEDED, rank=8, merged=False, **fields
):
    run = TrainingRun.objects.create(
        project=people.project,
        name=name,
        dataset_version=version,
        base_model=base,
        status=status,
        config={"method": "lora", "lora_r": rank},
        summary={"steps": 40, "best_eval_loss": 1.234},
        finished_at=timezone.now(),
        **fields,
    )
    out = tmp_path / "runs" / str(run.id)
    (out / "adapter").mkdir(parents=True)
    (out / "adapter" / "adapter_config.json").write_text(json.dumps({"r": rank}))
    if merged:
        (out / "merged").mkdir()
        (out / "merged" / "config.json").write_text("{}")
    run.output_dir = str(out)
    run.save(update_fields=["output_dir"])
    return run


def vote(study, rater, item, winner, loser, order):
    a = Assignment.objects.create(
        study=study, rater=rater, item=item, left=winner, right=loser, token=f"t{study.id}-{order}", order=order
    )
    Vote.objects.create(assignment=a, choice="left")


@pytest.fixture
def models(people, make_example, tmp_path):
    """Two succeeded runs (one merged, one deleted through the API), a failed one, an
    evaluation of the first and a closed study where the first beat the base model 3 to 1 and
    the second lost to it twice."""
    base = BaseModel.objects.create(
        project=people.project, name="Llama 3.2 1B", path="/models/llama-3.2-1b", status=BaseModel.Status.READY
    )
    for i in range(10):
        make_example(
            input=f"Ticket {i} about a {['lamp', 'fan'][i % 2]} number {i}",
            output=json.dumps({"category": "technical", "priority": "low"}),
            status=Example.Status.APPROVED,
        )
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="short")
    first = make_run(people, version, base, tmp_path, "careful", merged=True, rank=32)
    second = make_run(people, version, base, tmp_path, "bold", model_deleted_at=timezone.now())
    failed = make_run(people, version, base, tmp_path, "broken", status=TrainingRun.Status.FAILED)
    metrics = {
        "token_f1": {"base": 0.25, "tuned": 0.75, "diff": 0.5, "low": 0.4, "high": 0.6},
        "exact_match": {"base": 0.1, "tuned": 0.05, "diff": -0.05, "low": -0.2, "high": 0.1},
    }
    evaluation = EvaluationRun.objects.create(
        project=people.project,
        training_run=first,
        decoding={},
        backend={"kind": "local"},
        status=EvaluationRun.Status.SUCCEEDED,
        summary={"examples": 12, "metrics": metrics},
        finished_at=timezone.now(),
    )
    study = Study.objects.create(
        project=people.project,
        name="March round",
        dataset_version=version,
        status=Study.Status.CLOSED,
        closed_at=timezone.now(),
        systems=[
            {"key": "base", "run_id": None},
            {"key": f"run-{first.id}", "run_id": first.id},
            {"key": f"run-{second.id}", "run_id": second.id},
        ],
    )
    study.raters.set([people.reviewer])
    items = list(version.items.all()[:4])
    key = f"run-{first.id}"
    for n, item in enumerate(items[:3]):
        vote(study, people.reviewer, item, key, "base", n)
    vote(study, people.reviewer, items[3], "base", key, 3)
    for n, item in enumerate(items[:2]):
        vote(study, people.reviewer, item, "base", f"run-{second.id}", 4 + n)

    class Models:
        pass

    m = Models()
    m.base, m.version, m.first, m.second, m.failed, m.evaluation, m.study = (
        base,
        version,
        first,
        second,
        failed,
        evaluation,
        study,
    )
    return m


def test_one_server_line_loads_every_adapter_of_a_base_model(people, models):
    tgi, vllm = registry.project_recipe(models.base.path, [models.first, models.second])
    first, second = (
        f"run-{models.first.id}={models.first.output_dir}/adapter",
        f"run-{models.second.id}={models.second.output_dir}/adapter",
    )
    assert tgi == f"text-generation-launcher --model-id {models.base.path} --lora-adapters {first},{second}"
    assert (
        vllm == f"vllm serve {models.base.path} --enable-lora --lora-modules {first} {second} --max-lora-rank 32"
    )  # the first has rank 32
    assert registry.project_recipe(models.base.path, []) is None  # no adapter, nothing to serve


def test_entries_carry_lineage_status_and_results(people, models):
    entries = {e.run.id: e for e in registry.entries(people.project)}
    assert set(entries) == {models.first.id, models.second.id}  # the failed run is no model
    first, second = entries[models.first.id], entries[models.second.id]
    assert (first.name, first.model_id, first.served, first.merged) == ("careful", f"run-{models.first.id}", True, True)
    assert first.recipe.vllm == f"vllm serve {models.first.output_dir}/merged --served-model-name run-{models.first.id}"
    assert (second.served, second.deleted, second.merged) == (False, True, False)
    assert second.recipe.vllm.endswith(f"--lora-modules run-{models.second.id}={models.second.output_dir}/adapter")
    assert first.evaluation == models.evaluation
    assert [(h["label"], round(h["tuned"]), round(h["diff"]), h["better"], h["worse"]) for h in first.headline] == [
        ("Token F1", 75, 50, True, False),
        ("Exact match", 5, -5, False, False),
    ]
    (result,) = first.studies
    assert (result.study, result.place_text, result.systems, result.wins, result.decisive, result.win_rate) == (
        models.study,
        "1st",
        3,
        3,
        4,
        0.75,
    )
    (last,) = second.studies
    assert (last.place_text, last.wins, last.decisive, last.win_rate) == ("3rd", 0, 2, 0.0)


def test_open_studies_reveal_nothing(people, models):
    Study.objects.filter(id=models.study.id).update(status=Study.Status.OPEN, closed_at=None)
    assert all(e.studies == [] for e in registry.entries(people.project))


def test_rename_refuses_a_name_another_model_has_in_any_case(people, models):
    registry.rename(models.first, "  support   v2 ")
    assert TrainingRun.objects.get(id=models.first.id).version_name == "support v2"
    with pytest.raises(registry.VersionNameError, match=f"already the version name of run-{models.first.id}"):
        registry.rename(models.second, "Support V2")
    registry.rename(models.first, "")
    registry.rename(models.second, "support v2")  # free again
    assert registry.display_name(TrainingRun.objects.get(id=models.first.id)) == "careful"


# --- the page -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_member_sees_each_model_with_its_lineage_and_recipe(as_user, people, trained):
    EvaluationRun.objects.create(
        project=people.project,
        training_run=trained,
        decoding={},
        backend={"kind": "local"},
        status=EvaluationRun.Status.SUCCEEDED,
        summary={
            "examples": 12,
            "metrics": {"json_valid": {"base": 0.5, "tuned": 0.9, "diff": 0.4, "low": 0.2, "high": 0.6}},
        },
        finished_at=timezone.now(),
    )
    response = as_user(people.annotator).get(url("registry", people))
    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(response)
    adapter = f"{trained.output_dir}/adapter"
    assert (
        f"text-generation-launcher --model-id {trained.base_model.path} --lora-adapters run-{trained.id}={adapter}"
        in text
    )
    assert f"vllm serve {trained.base_model.path} --enable-lora --lora-modules run-{trained.id}={adapter}" in text
    assert f"run-{trained.id} Ready to serve" in text and "r1" in text and "Tiny" in text
    assert "No version name yet; the run's name is shown." in text
    assert reverse("curation:version", args=[people.project.slug, trained.dataset_version_id]) in page
    assert reverse("training:run", args=[people.project.slug, trained.id]) in page
    assert "Valid JSON 90.0% (+40.0 points)" in text
    assert reverse("api:monitor", args=[people.project.slug, trained.id]) in page
    assert 'aria-current="page">Models</a>' in page
    assert "Version name" not in text  # renaming is for leads


def test_the_page_shows_deleted_and_merged_models_and_study_results(as_user, people, models):
    client = as_user(people.lead)
    text = text_of(client.get(url("registry", people)))
    assert f"bold run-{models.second.id} Deleted through the API on" in text
    assert f"careful run-{models.first.id} Ready to serve Merged model available" in text
    assert f"vllm serve {models.first.output_dir}/merged --served-model-name run-{models.first.id}" in text
    assert (
        "March round: won 75% of decisive votes against the base model (3 of 4) · 3 models compared; see the study for the leaderboard"
        in text
    )
    assert "March round: won 0% of decisive votes against the base model (0 of 2) · 3 models compared" in text
    assert "Token F1 75.0% (+50.0 points)" in text and "Exact match 5.0% (-5.0 points)" in text


def test_study_links_only_for_members_who_may_open_the_report(as_user, people, models):
    study_url = reverse("evaluation:study", args=[people.project.slug, models.study.id])
    assert study_url in as_user(people.lead).get(url("registry", people)).content.decode()
    assert study_url in as_user(people.reviewer).get(url("registry", people)).content.decode()  # rated it
    page = as_user(people.annotator).get(url("registry", people))
    assert study_url not in page.content.decode() and "March round: won 75% of decisive votes" in text_of(page)


def test_outsiders_get_404(as_user, people, models):
    client = as_user(people.outsider)
    assert client.get(url("registry", people)).status_code == 404
    assert client.post(url("rename-model", people, models.first.id), {"version_name": "mine"}).status_code == 404
    assert TrainingRun.objects.get(id=models.first.id).version_name == ""


@pytest.mark.parametrize("role", ["annotator", "reviewer"])
def test_renaming_needs_a_lead(as_user, people, models, role):
    response = as_user(getattr(people, role)).post(
        url("rename-model", people, models.first.id), {"version_name": "support-v2"}
    )
    assert response.status_code == 403
    assert TrainingRun.objects.get(id=models.first.id).version_name == ""


def test_a_lead_renames_a_model_and_the_registry_shows_the_new_name(as_user, people, models):
    client = as_user(people.lead)
    response = client.post(url("rename-model", people, models.first.id), {"version_name": "support-v2"})
    assert response["Location"] == url("registry", people) + f"#model-{models.first.id}"
    text = text_of(client.get(url("registry", people)))
    assert f"run-{models.first.id} is now called “support-v2”." in text
    assert f"support-v2 run-{models.first.id} Ready to serve" in text


def test_a_duplicate_version_name_is_refused_with_a_clear_error(as_user, people, models):
    client = as_user(people.lead)
    client.post(url("rename-model", people, models.first.id), {"version_name": "support-v2"})
    response = client.post(url("rename-model", people, models.second.id), {"version_name": "Support-V2"})
    assert response.status_code == 200
    text = text_of(response)
    assert (
        f"“Support-V2” is already the version name of run-{models.first.id} (run “careful”) in this project. Pick another name."
        in text
    )
    assert 'value="Support-V2"' in response.content.decode()  # what was typed stays in the field
    assert TrainingRun.objects.get(id=models.second.id).version_name == ""
    fragment = client.post(
        url("rename-model", people, models.second.id), {"version_name": "support-v2"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "is already the version name" in text_of(fragment) and 'aria-invalid="true"' in fragment.content.decode()


def test_version_names_are_escaped(as_user, people, models):
    client = as_user(people.lead)
    client.post(url("rename-model", people, models.first.id), {"version_name": "<script>alert(1)</script>"})
    page = client.get(url("registry", people)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_lead_serves_a_deleted_model_again(as_user, people, models):
    url = reverse("evaluation:serve-again", args=[people.project.slug, models.second.id])
    assert as_user(people.annotator).post(url).status_code == 403
    assert as_user(people.outsider).post(url).status_code == 404
    page = as_user(people.lead).post(url, follow=True).content.decode()
    models.second.refresh_from_db()
    assert models.second.model_deleted_at is None and f"run-{models.second.id} is served again" in page


def test_an_empty_registry_says_how_models_arrive(as_user, people):
    assert "No tuned models yet: a run appears here once it finishes training." in text_of(
        as_user(people.reviewer).get(url("registry", people))
    )


# --- in the browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_lead_renames_a_model_in_the_registry(page, live_server, people, trained):
    people.lead.set_password("pw")
    people.lead.save()
    sign_in(page, live_server, people.lead.username, "pw")
    page.goto(live_server.url + reverse("studio:project-home", args=[people.project.slug]))
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Models", exact=True).click()
    card = page.locator(f"#model-{trained.id}")
    assert card.get_by_role("heading", name="r1").is_visible()
    assert f"--lora-adapters run-{trained.id}=" in card.locator(f"#recipe-tgi-{trained.id}").inner_text()
    card.get_by_role("button", name=f"Copy the TGI line for run-{trained.id}").click()
    page.get_by_role("button", name="Copied").wait_for()
    card.get_by_label("Version name").fill("triage-v1")
    card.get_by_role("button", name="Rename").click()
    page.locator(f"#model-{trained.id}").get_by_text("Saved.").wait_for()
    assert page.locator(f"#model-{trained.id}").get_by_role("heading", name="triage-v1").is_visible()
    page.reload()
    assert page.locator(f"#model-{trained.id}").get_by_role("heading", name="triage-v1").is_visible()
    assert TrainingRun.objects.get(id=trained.id).version_name == "triage-v1"


@pytest.mark.django_db
def test_a_lead_sets_a_success_gate_and_every_page_shows_pass_or_fail(as_user, people, trained):
    from evaluation.models import EvaluationRun, SuccessGate

    ev = EvaluationRun.objects.create(
        project=people.project,
        training_run=trained,
        decoding={},
        backend={},
        status=EvaluationRun.Status.SUCCEEDED,
        summary={
            "examples": 4,
            "metrics": {"token_f1": {"base": 0.2, "tuned": 0.3, "diff": 0.1, "low": 0.05, "high": 0.15}},
        },
    )
    gate_url = reverse("evaluation:success-gate", args=[people.project.slug])
    form = {"metric": "token_f1", "min_gain": "25", "min_json_valid": ""}
    for who, status in ((people.outsider, 404), (people.annotator, 403), (people.reviewer, 403)):
        assert as_user(who).post(gate_url, form).status_code == status
    assert not SuccessGate.objects.exists()
    as_user(people.lead).post(gate_url, form)
    registry_page = (
        as_user(people.reviewer).get(reverse("evaluation:registry", args=[people.project.slug])).content.decode()
    )
    assert "Passes the gate" in registry_page and "+50%; needs 25.0%" in registry_page
    run_page = (
        as_user(people.reviewer).get(reverse("training:run", args=[people.project.slug, trained.id])).content.decode()
    )
    assert "Passes the gate" in run_page
    as_user(people.lead).post(gate_url, {**form, "min_gain": "60"})
    ev_page = (
        as_user(people.lead).get(reverse("evaluation:evaluation", args=[people.project.slug, ev.id])).content.decode()
    )
    assert "Fails the success gate" in ev_page and "needs 32.0%" in ev_page
    bad = as_user(people.lead).post(gate_url, {**form, "min_gain": "lots"}, follow=True).content.decode()
    assert "must be numbers" in bad
    as_user(people.lead).post(gate_url, {**form, "min_gain": ""})
    assert not SuccessGate.objects.exists()
