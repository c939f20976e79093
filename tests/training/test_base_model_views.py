"""base_models, base_model_card, use_base_model, recheck_base_model."""

import pytest
from django.urls import reverse

from training.models import BaseModel

pytestmark = pytest.mark.django_db


def url(name, people, *args):
    return reverse(f"training:{name}", args=[people.project.slug, *args])


def test_lead_registers_a_folder_and_the_worker_inspects_it(
    as_user, people, tiny_model_dir, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("base-models", people), {"name": "Tiny", "path": str(tiny_model_dir)})
    assert response.status_code == 302
    assert len(callbacks) == 1  # enqueued after commit, never before
    model = BaseModel.objects.get(project=people.project)
    assert model.status == BaseModel.Status.READY
    assert model.info["architecture"] == "LlamaForCausalLM"
    page = client.get(url("base-models", people)).content.decode()
    assert "LlamaForCausalLM" in page and "Use for this project" in page


def test_registration_refuses_folders_outside_the_model_roots(as_user, people, tmp_path):
    page = as_user(people.lead).post(url("base-models", people), {"name": "Etc", "path": "/etc"}).content.decode()
    assert "“/etc” is outside the folders models may be registered from" in page
    page = as_user(people.lead).post(url("base-models", people), {"name": "Rel", "path": "models/x"}).content.decode()
    assert "is not an absolute path" in page
    assert not BaseModel.objects.exists()


def test_unusable_paths_get_a_form_error_not_a_crash(as_user, people, settings):
    too_long = str(settings.MODELS_DIR / ("a" * 300))
    page = as_user(people.lead).post(url("base-models", people), {"name": "Long", "path": too_long}).content.decode()
    assert "cannot be used as a folder" in page
    loop = settings.MODELS_DIR / "loop-for-test"
    if not loop.is_symlink():
        loop.symlink_to(loop)
    page = as_user(people.lead).post(url("base-models", people), {"name": "Loop", "path": str(loop)}).content.decode()
    assert "cannot be used as a folder" in page
    assert not BaseModel.objects.exists()


def test_a_corrupt_weight_file_fails_the_check_instead_of_hanging(
    as_user, people, settings, tiny_model_dir, eager_tasks, django_capture_on_commit_callbacks
):
    corrupt = settings.MODELS_DIR / "corrupt-for-test"
    corrupt.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (corrupt / name).write_bytes((tiny_model_dir / name).read_bytes())
    (corrupt / "model.safetensors").write_bytes(b"")
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("base-models", people), {"name": "Corrupt", "path": str(corrupt)})
    model = BaseModel.objects.get(project=people.project)
    assert model.status == BaseModel.Status.FAILED
    assert "could not be read" in model.error


def test_polling_after_sign_out_sends_the_browser_to_login(client, people, tiny_model_dir):
    model = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    response = client.get(url("base-model-card", people, model.id), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert response.content == b""


def test_a_broken_folder_fails_with_the_reason(
    as_user, people, settings, eager_tasks, django_capture_on_commit_callbacks
):
    broken = settings.MODELS_DIR / "broken-for-test"
    broken.mkdir(parents=True, exist_ok=True)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("base-models", people), {"name": "Broken", "path": str(broken)})
    model = BaseModel.objects.get(project=people.project)
    assert model.status == BaseModel.Status.FAILED
    assert "no config.json" in model.error
    page = as_user(people.lead).get(url("base-model-card", people, model.id)).content.decode()
    assert "no config.json" in page
    assert "hx-trigger" not in page  # polling stops once the check is finished


def test_card_polls_while_checking(as_user, people, tiny_model_dir):
    model = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    page = as_user(people.lead).get(url("base-model-card", people, model.id)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "<html" not in page


def test_use_base_model_needs_a_ready_folder(as_user, people, tiny_model_dir):
    model = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    response = as_user(people.lead).post(url("use-base-model", people, model.id), follow=True)
    assert "until its folder checks out" in response.content.decode()
    people.project.refresh_from_db()
    assert people.project.base_model is None
    model.status = BaseModel.Status.READY
    model.save()
    as_user(people.lead).post(url("use-base-model", people, model.id))
    people.project.refresh_from_db()
    assert people.project.base_model == model


def test_recheck_runs_the_inspection_again(
    as_user, people, tiny_model_dir, eager_tasks, django_capture_on_commit_callbacks
):
    model = BaseModel.objects.create(
        project=people.project, name="Tiny", path=str(tiny_model_dir), status=BaseModel.Status.FAILED, error="old"
    )
    with django_capture_on_commit_callbacks(execute=True):
        as_user(people.lead).post(url("recheck-base-model", people, model.id))
    model.refresh_from_db()
    assert (model.status, model.error) == (BaseModel.Status.READY, "")


def test_remove_base_model_keeps_the_one_in_use(as_user, people, tiny_model_dir, settings):
    in_use = BaseModel.objects.create(
        project=people.project, name="Tiny", path=str(tiny_model_dir), status=BaseModel.Status.READY
    )
    spare = BaseModel.objects.create(
        project=people.project, name="Spare", path=str(settings.MODELS_DIR), status=BaseModel.Status.FAILED
    )
    people.project.base_model = in_use
    people.project.save()
    response = as_user(people.lead).post(url("remove-base-model", people, in_use.id), follow=True)
    assert "choose another one before removing it" in response.content.decode()
    as_user(people.lead).post(url("remove-base-model", people, spare.id))
    assert list(BaseModel.objects.values_list("name", flat=True)) == ["Tiny"]
    assert tiny_model_dir.is_dir()


@pytest.mark.parametrize(
    "name", ["base-models", "base-model-card", "use-base-model", "recheck-base-model", "remove-base-model"]
)
def test_outsiders_and_wrong_roles_are_refused(as_user, people, tiny_model_dir, name):
    model = BaseModel.objects.create(
        project=people.project, name="Tiny", path=str(tiny_model_dir), status=BaseModel.Status.READY
    )
    target = url(name, people) if name == "base-models" else url(name, people, model.id)
    send = (lambda c: c.get(target)) if name in ("base-models", "base-model-card") else (lambda c: c.post(target))
    assert send(as_user(people.outsider)).status_code == 404
    assert send(as_user(people.annotator)).status_code == 403
    assert send(as_user(people.reviewer)).status_code == 403
    people.project.refresh_from_db()
    assert people.project.base_model is None


def test_a_lead_cannot_reach_another_projects_model(as_user, people, tiny_model_dir):
    foreign = BaseModel.objects.create(
        project=people.other_project, name="Theirs", path=str(tiny_model_dir), status=BaseModel.Status.READY
    )
    assert as_user(people.lead).get(url("base-model-card", people, foreign.id)).status_code == 404
    assert as_user(people.lead).post(url("use-base-model", people, foreign.id)).status_code == 404


def test_the_inspection_reads_the_folders_recommended_settings(
    as_user, people, tiny_model_dir, tmp_path, settings, eager_tasks, django_capture_on_commit_callbacks
):
    import shutil

    client = as_user(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("base-models", people), {"name": "Tiny", "path": str(tiny_model_dir)})
    model = BaseModel.objects.get(project=people.project)
    assert model.recommended["learning_rate"] > 2e-4  # a tiny model learns only with a high rate
    page = client.get(url("base-models", people)).content.decode()
    assert "Recommended for this model" in page and f"learning_rate {model.recommended['learning_rate']}" in page

    settings.MODEL_ROOTS = [tmp_path]
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    (broken / "studio_recommended.json").write_text('{"learning_rate": "fast"}')
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("base-models", people), {"name": "Broken", "path": str(broken)})
    failed = BaseModel.objects.get(name="Broken")
    assert failed.status == BaseModel.Status.FAILED and failed.recommended == {}
    assert 'studio_recommended.json: learning_rate must be float, not "fast"' in failed.error
