"""Every documented call of the official openai client for files and fine-tuning jobs, against
the live server, as OpenAI documents it: pages with a real has_more, the file and checkpoint
calls, the job's own fields, and refusals in OpenAI's error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiFile, ApiToken

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def client_for(live_server, user, project=None):
    from openai import OpenAI

    _, raw = ApiToken.issue(user, "client")
    return OpenAI(base_url=live_server.url + "/v1", api_key=raw, max_retries=0, project=project)


@pytest.fixture
def run(people, tiny_model_dir):
    """A succeeded run of 420 steps, one loss point a step, each reported a second after the last."""
    from curation.core.demo_tickets import make_examples
    from tests.conftest import succeeded_run
    from training.models import MetricPoint, TrainingRun

    run = succeeded_run(people, tiny_model_dir, make_examples(n=10))
    start = timezone.now() - timedelta(hours=1)
    MetricPoint.objects.bulk_create(
        MetricPoint(
            run=run,
            step=s,
            loss=3 - s / 420,
            eval_loss=2.5 if s % 42 == 0 else None,
            created_at=start + timedelta(seconds=s),
        )
        for s in range(1, 421)
    )
    TrainingRun.objects.filter(id=run.id).update(
        total=420, finished_at=timezone.now(), summary={"steps": 420, "trained_tokens": 12345}
    )
    run.refresh_from_db()
    return run


def test_files_page_retrieve_download_and_delete(live_server, people):
    from openai import NotFoundError, PermissionDeniedError

    files = [
        ApiFile.objects.create(
            project=people.project, user=people.lead, filename=f"{i}.jsonl", size=3, content=f"{i}\n".encode(), rows=1
        )
        for i in range(5)
    ]
    client = client_for(live_server, people.lead)
    first = client.files.list(limit=2)
    assert [f.id for f in first.data] == [f"file-{files[4].id}", f"file-{files[3].id}"] and first.has_more
    everything = [f.filename for f in client.files.list(limit=2)]  # the client follows `after` page by page
    assert everything == ["4.jsonl", "3.jsonl", "2.jsonl", "1.jsonl", "0.jsonl"]
    last = client.files.list(limit=2, after=f"file-{files[1].id}")
    assert [f.filename for f in last.data] == ["0.jsonl"] and not last.has_more
    assert [f.filename for f in client.files.list(order="asc", limit=1)] == [f"{i}.jsonl" for i in range(5)]

    file_id = f"file-{files[2].id}"
    assert client.files.retrieve(file_id).filename == "2.jsonl"
    assert client.files.content(file_id).read() == b"2\n"
    reviewer = client_for(live_server, people.reviewer)
    with pytest.raises(PermissionDeniedError) as refused:  # a reviewer may see files, not delete them
        reviewer.files.delete(file_id)
    assert refused.value.body["type"] == "invalid_request_error"
    deleted = client.files.delete(file_id)
    assert deleted.deleted and deleted.id == file_id
    with pytest.raises(NotFoundError):
        client.files.retrieve(file_id)
    outsider = client_for(live_server, people.outsider)
    with pytest.raises(NotFoundError):
        outsider.files.content(f"file-{files[0].id}")


def test_a_job_pages_its_events_with_their_own_times_and_lists_its_checkpoint(live_server, people, run):
    client = client_for(live_server, people.reviewer)
    job_id = f"ftjob-{run.id}"
    job = client.fine_tuning.jobs.retrieve(job_id)
    assert job.trained_tokens == 12345 and len(job.result_files) == 1
    metrics = client.files.content(job.result_files[0]).read().decode().splitlines()
    assert metrics[0].startswith("step,train_loss") and len(metrics) == 421
    assert client.fine_tuning.jobs.retrieve(job_id).result_files == job.result_files  # made once

    first = client.fine_tuning.jobs.list_events(job_id, limit=50)
    assert first.has_more and first.data[0].message.startswith("The job has succeeded")
    events = list(client.fine_tuning.jobs.list_events(job_id, limit=100))  # every page, by `after`
    steps = [e.data["step"] for e in events if e.type == "metrics"]
    assert steps == list(range(420, 0, -1))
    times = [e.created_at for e in events if e.type == "metrics"]
    assert times[0] - times[-1] >= 418  # each point at its own time, not all at the job's creation

    (checkpoint,) = client.fine_tuning.jobs.checkpoints.list(job_id).data
    assert checkpoint.step_number == 420 and checkpoint.fine_tuned_model_checkpoint == f"run-{run.id}"
    assert checkpoint.metrics.valid_loss == 2.5 and checkpoint.fine_tuning_job_id == job_id


def test_jobs_page_and_a_member_without_the_right_cannot_cancel(live_server, people, run):
    from openai import PermissionDeniedError

    from training.models import TrainingRun

    queued = [
        TrainingRun.objects.create(
            project=people.project,
            name=f"q{i}",
            dataset_version=run.dataset_version,
            base_model=run.base_model,
            config={},
        )
        for i in range(3)
    ]
    client = client_for(live_server, people.annotator)
    page = client.fine_tuning.jobs.list(limit=2)
    assert [j.id for j in page.data] == [f"ftjob-{queued[2].id}", f"ftjob-{queued[1].id}"] and page.has_more
    assert len(list(client.fine_tuning.jobs.list(limit=2))) == 4
    with pytest.raises(PermissionDeniedError) as refused:
        client.fine_tuning.jobs.cancel(f"ftjob-{queued[0].id}")
    assert "may not launch training runs" in refused.value.body["message"]
    queued[0].refresh_from_db()
    assert queued[0].status == "queued"
    lead = client_for(live_server, people.lead)
    assert lead.fine_tuning.jobs.cancel(f"ftjob-{queued[0].id}").status == "cancelled"


def test_chat_and_completion_requests_as_the_client_sends_them(live_server, people, trained):
    from openai import BadRequestError

    client = client_for(live_server, people.reviewer)
    model = f"run-{trained.id}"
    plain = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "My parcel is late."}],
        max_tokens=8,
    )
    # text parts and the developer role (taken as system) ask the same thing
    parts = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
            {"role": "user", "content": [{"type": "text", "text": "My parcel "}, {"type": "text", "text": "is late."}]},
        ],
        max_tokens=8,
        n=1,
        stream=False,
    )
    assert parts.choices[0].message.content == plain.choices[0].message.content
    with pytest.raises(BadRequestError) as refused:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], n=2)
    assert refused.value.body["param"] == "n"
    with pytest.raises(BadRequestError) as refused:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], logprobs=True)
    assert refused.value.body == {
        "message": "Unrecognized request argument supplied: logprobs.",
        "type": "invalid_request_error",
        "param": "logprobs",
        "code": None,
    }

    one = client.completions.create(model=model, prompt="Triage: my parcel is late.", max_tokens=6)
    listed = client.completions.create(model=model, prompt=["Triage: my parcel is late."], max_tokens=6)
    assert listed.choices[0].text == one.choices[0].text
    with pytest.raises(BadRequestError) as refused:
        client.completions.create(model=model, prompt=["one", "two"], max_tokens=6)
    assert refused.value.body["param"] == "prompt"
    chunks = list(
        client.completions.create(
            model=model, prompt="Triage:", max_tokens=6, stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(c.choices for c in chunks[:-1]) and chunks[-2].choices[0].finish_reason in ("stop", "length")


@pytest.mark.redis
def test_a_job_keeps_its_validation_file_and_metadata_and_honours_method(live_server, people, tiny_model_dir):
    import json

    from openai import BadRequestError

    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel, TrainingRun

    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    people.project.base_model = base
    people.project.save()
    client = client_for(live_server, people.lead, project=people.project.slug)
    rows = "\n".join(json.dumps({"prompt": f"Triage: ticket {i}", "completion": "shipping"}) for i in range(20))
    train = client.files.create(file=("train.jsonl", rows.encode()), purpose="fine-tune")
    valid = client.files.create(file=("valid.jsonl", rows.encode()), purpose="fine-tune")

    with pytest.raises(BadRequestError) as refused:
        client.fine_tuning.jobs.create(
            model="Tiny",
            training_file=train.id,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "three"}}},
        )
    assert refused.value.body["param"] == "method.supervised.hyperparameters.n_epochs"
    with pytest.raises(BadRequestError) as refused:
        client.fine_tuning.jobs.create(model="Tiny", training_file=train.id, method={"type": "dpo"})
    assert refused.value.body["param"] == "method.type"
    with pytest.raises(BadRequestError) as refused:
        client.fine_tuning.jobs.create(model="Tiny", training_file=train.id, integrations=[])
    assert refused.value.body["message"] == "Unrecognized request argument supplied: integrations."
    assert not TrainingRun.objects.exists()

    job = client.fine_tuning.jobs.create(
        model="Tiny",
        training_file=train.id,
        validation_file=valid.id,
        metadata={"team": "support"},
        method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 4}}},
    )
    assert job.validation_file == valid.id and job.metadata == {"team": "support"}
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == 4
    again = client.fine_tuning.jobs.retrieve(job.id)
    assert again.validation_file == valid.id and again.metadata == {"team": "support"}
    assert TrainingRun.objects.get().config["epochs"] == 2
    assert [j.id for j in client.fine_tuning.jobs.list(metadata={"team": "support"})] == [job.id]
    assert client.fine_tuning.jobs.list(metadata={"team": "sales"}).data == []


@pytest.mark.postgres
def test_a_chunked_body_is_read_under_gunicorn(people, tmp_path, django_db_blocker):
    """The production server (gunicorn) de-chunks a body sent without Content-Length; the API
    reads it rather than taking it as empty: a streamed JSON body and the openai client's upload
    of an open file."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    import requests
    from django.conf import settings

    from tests.conftest import stop, wait_for

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "SECRET_KEY": "gunicorn-test",
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "STUDIO_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    log = open(tmp_path / "gunicorn.log", "w+")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "studio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=settings.BASE_DIR,
    )
    try:
        url = f"http://127.0.0.1:{port}"

        def answering():
            try:
                return requests.get(url + "/v1/openapi.json", timeout=20).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answering, 60, "gunicorn to answer", tmp_path / "gunicorn.log")
        _, raw = ApiToken.issue(people.lead, "chunked")
        body = b'{"model": "run-999", "messages": [{"role": "user", "content": "hi"}]}'
        answer = requests.post(
            url + "/v1/chat/completions",
            data=iter([body[:20], body[20:]]),  # a generator: sent chunked, with no Content-Length
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
            timeout=30,
        )
        assert answer.status_code == 404 and answer.json()["error"]["param"] == "model"  # read: the model is unknown

        from openai import OpenAI

        client = OpenAI(base_url=url + "/v1", api_key=raw, max_retries=0, project=people.project.slug)
        (tmp_path / "train.jsonl").write_bytes(b'{"prompt": "a", "completion": "b"}\n')
        with open(tmp_path / "train.jsonl", "rb") as stream:
            uploaded = client.files.create(file=stream, purpose="fine-tune")
        assert uploaded.studio_examples == 1 and uploaded.bytes == 35
    finally:
        stop(process)


def test_stream_options_without_stream_are_refused_as_openai_does(live_server, people):
    from openai import BadRequestError

    client = client_for(live_server, people.reviewer)
    chat = lambda **more: client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], **more)  # noqa: E731
    complete = lambda **more: client.completions.create(prompt="hi", **more)  # noqa: E731
    for call in (chat, complete):
        for stream in ({}, {"stream": False}):
            with pytest.raises(BadRequestError) as refused:  # refused before the (unknown) model is looked up
                call(model="run-999999", stream_options={"include_usage": True}, **stream)
            assert refused.value.body == {
                "message": "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                "type": "invalid_request_error",
                "param": "stream_options",
                "code": None,
            }


def test_a_job_tells_its_lifecycle_in_events_as_openai_does(live_server, people, run):
    from training.models import TrainingRun

    started = run.created_at + timedelta(seconds=5)
    TrainingRun.objects.filter(id=run.id).update(started_at=started, attempts=2, training_file="file-7")
    client = client_for(live_server, people.reviewer)
    job_id = f"ftjob-{run.id}"
    events = list(client.fine_tuning.jobs.list_events(job_id, limit=7))  # a page crosses into the opening events
    assert len(events) == 1 + 420 + 4 and len({e.id for e in events}) == len(events)
    assert events[0].message == f"The job has succeeded. New fine-tuned model: run-{run.id}"
    assert [e.message for e in events[-4:]] == [
        "Fine-tuning job started (attempt 2: resumed from its last checkpoint)",
        "Files validated, moving job to queued state",
        "Validating training file: file-7",
        f"Created fine-tuning job: {job_id}",
    ]
    assert {(e.object, e.type, e.level) for e in events[-4:]} == {("fine_tuning.job.event", "message", "info")}
    assert events[-4].created_at == int(started.timestamp()) and events[-1].created_at == int(
        run.created_at.timestamp()
    )
    rest = client.fine_tuning.jobs.list_events(job_id, after=events[-3].id)
    assert [e.id for e in rest.data] == [e.id for e in events[-2:]] and not rest.has_more

    def job(status, **fields):
        made = TrainingRun.objects.create(
            project=people.project,
            name=status,
            dataset_version=run.dataset_version,
            base_model=run.base_model,
            config={},
            status=status,
            **fields,
        )
        return client.fine_tuning.jobs.list_events(f"ftjob-{made.id}").data

    failed = job("failed", message="Out of memory at step 3.", finished_at=timezone.now(), started_at=started)
    assert failed[0].level == "error" and failed[0].message == "The job has failed: Out of memory at step 3."
    assert [e.message.split(":")[0] for e in failed[1:]] == [
        "Fine-tuning job started",
        "Files validated, moving job to queued state",
        "Validating dataset version",
        "Created fine-tuning job",
    ]
    cancelled = job("cancelled", finished_at=timezone.now())
    assert cancelled[0].message == "The job was cancelled." and "model" not in cancelled[0].message
    queued = job("queued")  # not started, not finished: only its creation so far
    assert [e.id.rsplit("-", 1)[1] for e in queued] == ["validated", "validating", "created"]


def test_checkpoints_list_the_final_model_then_those_training_kept(live_server, people, run, tmp_path):
    from openai import NotFoundError

    from training.models import MetricPoint, TrainingRun

    folder = tmp_path / "run"
    for step in (126, 252, 400, 420):  # 420's folder is the last step's: the final model stands for it
        (folder / f"checkpoint-{step}").mkdir(parents=True)
        (folder / f"checkpoint-{step}" / "adapter_config.json").write_text("{}")
    (folder / "checkpoint-99").mkdir()  # no adapter in it: not a checkpoint
    (folder / "checkpoint-last").mkdir()
    TrainingRun.objects.filter(id=run.id).update(output_dir=str(folder))
    client = client_for(live_server, people.reviewer)
    job_id = f"ftjob-{run.id}"
    listed = list(client.fine_tuning.jobs.checkpoints.list(job_id, limit=3))  # every page, by `after`
    assert [c.step_number for c in listed] == [420, 400, 252, 126]
    assert [c.fine_tuned_model_checkpoint for c in listed] == [
        f"run-{run.id}",
        f"run-{run.id}:ckpt-step-400",
        f"run-{run.id}:ckpt-step-252",
        f"run-{run.id}:ckpt-step-126",
    ]
    assert [c.id for c in listed] == [f"ftckpt-{run.id}-{s}" for s in (420, 400, 252, 126)]
    assert listed[2].metrics.train_loss == pytest.approx(3 - 252 / 420) and listed[2].metrics.valid_loss == 2.5
    assert listed[1].metrics.valid_loss is None  # no evaluation at step 400
    assert listed[1].created_at == int(MetricPoint.objects.get(run=run, step=400).created_at.timestamp())
    first = client.fine_tuning.jobs.checkpoints.list(job_id, limit=3)
    assert first.has_more and [c.step_number for c in first.data] == [420, 400, 252]
    with pytest.raises(NotFoundError) as refused:  # listed, not served
        client.chat.completions.create(
            model=f"run-{run.id}:ckpt-step-400", messages=[{"role": "user", "content": "hi"}], max_tokens=4
        )
    assert "intermediate checkpoint" in refused.value.body["message"] and refused.value.body["param"] == "model"
    outsider = client_for(live_server, people.outsider)
    with pytest.raises(NotFoundError):
        outsider.fine_tuning.jobs.checkpoints.list(job_id)
