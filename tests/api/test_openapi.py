"""The OpenAPI schema (api/openapi.py): a valid OpenAPI document, in step with api/urls.py and the
methods each view takes, served at /v1/openapi.json and rendered at /api/docs/; and a schemathesis
run of every operation against the live server."""

import copy
import json
import logging
import re
import traceback

import pytest
import schemathesis
from django.urls import URLPattern, reverse

from api import urls as api_urls
from api.models import ApiToken
from api.openapi import build_schema, resolve

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec():
    return build_schema("http://testserver")


def _operations(spec):
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_the_schema_is_a_valid_openapi_document(spec):
    schemathesis.openapi.from_dict(copy.deepcopy(spec)).validate()
    broken = copy.deepcopy(spec)
    broken["paths"]["/v1/models"]["get"]["responses"]["200"].pop("description")  # a required field
    with pytest.raises(Exception, match="description"):
        schemathesis.openapi.from_dict(broken).validate()


def test_every_reference_resolves_and_every_component_is_used(spec):
    text = json.dumps(spec)
    refs = set(re.findall(r'"\$ref": "(#/[^"]+)"', text))
    for target in refs:
        resolve(spec, {"$ref": target})  # KeyError when it points nowhere
    for kind, components in spec["components"].items():
        for name in components:
            if kind != "securitySchemes" and name not in (
                "MethodNotAllowed",
            ):  # 405: documented on the docs page, not per operation
                assert f"#/components/{kind}/{name}" in refs, f"{kind}/{name} is never used"


def _schema_errors(spec, schema, instance):
    """What is wrong with instance under schema (a $ref into spec or a schema), JSON Schema
    2020-12 (the dialect of OpenAPI 3.1) with the format checker."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource(
        "urn:studio-api", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    target = {"$ref": "urn:studio-api" + schema["$ref"]} if "$ref" in schema else schema
    validator = Draft202012Validator(target, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(instance)]


def test_examples_are_valid_requests_and_answers(spec):
    """Every example the docs page shows fits the schema it illustrates."""

    def errors(schema, instance):
        return _schema_errors(spec, schema, instance)

    checked = 0
    for path, method, operation in _operations(spec):
        bodies = [("request", c) for c in operation.get("requestBody", {}).get("content", {}).values()]
        bodies += [
            (status, c)
            for status, r in operation["responses"].items()
            for c in resolve(spec, r).get("content", {}).values()
        ]
        for where, content in bodies:
            if "example" in content:
                assert not errors(content["schema"], content["example"]), (
                    method,
                    path,
                    where,
                    errors(content["schema"], content["example"]),
                )
                checked += 1
    assert checked >= 40
    assert errors(
        {"$ref": "#/components/schemas/ChatCompletionRequest"}, {"model": "run-1", "messages": [], "max_tokens": 0}
    )  # the validator does reject


def test_code_samples_are_python_and_curl_for_every_operation(spec):
    for path, method, operation in _operations(spec):
        python, curl = operation["x-codeSamples"]
        assert python["lang"] == "Python" and 'OpenAI(base_url="http://testserver/v1"' in python["source"]
        compile(python["source"], f"{method} {path}", "exec")
        assert curl["source"].startswith("curl ") and re.sub(r"\{\w+\}", "", path) in curl["source"].replace(
            "run-12", ""
        ).replace("ftjob-12", "")
        if operation.get("security") != []:
            assert "Authorization: Bearer $STUDIO_API_KEY" in curl["source"]


def _documented_path(pattern):
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))


def test_every_v1_url_is_in_the_schema_and_every_schema_path_is_a_url(spec):
    routes = {
        _documented_path(p)
        for p in api_urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith("v1/")
    }
    assert routes == set(spec["paths"])
    assert "/v1/models/{model_id}" in routes and "/v1/openapi.json" in routes


def test_documented_methods_are_the_ones_the_views_take(client, people, spec):
    """An undocumented method gets 405 (as JSON); a documented one gets anything else."""
    _, raw = ApiToken.issue(people.lead, "methods")
    for path, item in spec["paths"].items():
        url = path.replace("{model_id}", "run-999999").replace("{job_id}", "ftjob-999999")
        for method in ("get", "post", "delete", "put", "patch"):
            response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
            if method in item:
                assert response.status_code != 405, (method, path, response.status_code)
            else:
                assert response.status_code == 405, (method, path, response.status_code)
                assert response.json()["error"]["message"], (method, path)


def test_a_rate_limited_answer_is_the_documented_429(client, people, spec):
    token, raw = ApiToken.issue(people.lead, "limited")
    ApiToken.objects.filter(id=token.id).update(rate_limit_per_minute=1)
    answers = [
        client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {raw}") for _ in range(3)
    ]  # 3: a minute may turn between two
    assert answers[0].status_code == 200
    limited = next(a for a in answers if a.status_code == 429)
    documented = resolve(spec, spec["paths"]["/v1/models"]["get"]["responses"]["429"])
    assert not _schema_errors(spec, documented["content"]["application/json"]["schema"], limited.json())
    assert limited.json()["error"]["code"] == "rate_limit_exceeded"
    for name, header in documented["headers"].items():
        header = resolve(spec, header)
        value = limited[name]  # KeyError when a documented header is missing
        assert not _schema_errors(
            spec, header["schema"], int(value) if header["schema"]["type"] == "integer" else value
        ), (name, value)
    for name in spec["paths"]["/v1/models"]["get"]["responses"]["200"]["headers"]:
        assert name in answers[0], name


def test_the_schema_is_served_without_a_token_with_this_server_as_its_server(client, spec):
    response = client.get(reverse("api:openapi"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    served = response.json()
    assert served["servers"] == [{"url": "http://testserver", "description": "this studio"}]
    assert served == spec


def test_limits_in_the_schema_follow_the_settings(settings):
    settings.API_MAX_NEW_TOKENS = 77
    settings.MAX_UPLOAD_BYTES = 1234
    spec = build_schema()
    assert spec["components"]["schemas"]["ChatCompletionRequest"]["properties"]["max_tokens"]["maximum"] == 77
    assert spec["components"]["schemas"]["CompletionRequest"]["properties"]["max_tokens"]["maximum"] == 77
    assert "1,234 bytes" in spec["components"]["schemas"]["FileUpload"]["properties"]["file"]["description"]


def test_the_docs_page_shows_every_endpoint_with_its_fields_and_examples(client, spec):
    from django.utils.html import escape

    response = client.get(reverse("api:docs"))  # no login needed: it describes the API, no one's data
    assert response.status_code == 200
    page = response.content.decode()
    for path, _method, operation in _operations(spec):
        assert f'id="{operation["operationId"]}"' in page
        assert f"<code>{path}</code>" in page and escape(operation["summary"]) in page
    # body fields, nested ones flattened, with their bounds and whether they are required
    assert "messages[].role" in page and "&quot;system&quot; | &quot;user&quot; | &quot;assistant&quot;" in page
    assert "integer (1 to 2,048) or null; default 256" in page and "list (not empty) of ChatMessage" in page
    assert "hyperparameters.n_epochs" in page and 'rating<span class="req">required</span>' in page
    assert "OpenAI-Project" in page
    # examples: the openai client and curl, pointed at this server
    assert "client.chat.completions.create(" in page and "client.fine_tuning.jobs.list_events(" in page
    assert "curl -X POST http://testserver/v1/chat/completions" in page
    assert "OpenAI(base_url=&quot;http://testserver/v1&quot;" in page
    # nothing fetched from elsewhere: every script, stylesheet and image is local
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not re.match(r"(https?:)?//", url), url


def test_the_tokens_page_links_to_the_docs(as_user, people):
    page = as_user(people.annotator).get(reverse("api:tokens")).content.decode()
    assert f'href="{reverse("api:docs")}"' in page


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_examples_run_against_the_live_server(live_server, people, trained, monkeypatch, tmp_path):
    """Every operation's examples, the openai client's and then curl's, from the served schema,
    with the example ids replaced by real ones (the file and the job are the ones the examples
    make); the model is deleted last."""
    import shutil
    import subprocess

    import requests

    from training.models import TrainingRun

    people.project.base_model = trained.base_model
    people.project.save(update_fields=["base_model"])
    _, raw = ApiToken.issue(people.lead, "examples")
    monkeypatch.setenv("STUDIO_API_KEY", raw)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_text(
        "\n".join(
            json.dumps({"instruction": f"Triage: {t}", "output": "shipping"})
            for t in ("late parcel", "broken box", "lost order")
        )
    )
    served = requests.get(live_server.url + "/v1/openapi.json").json()
    assert people.project.slug == "ticket-triage" and trained.base_model.name == "Tiny"  # the names the examples use
    operations = sorted(_operations(served), key=lambda o: o[1] == "delete")
    model_url = live_server.url + f"/v1/models/run-{trained.id}"

    ids, namespace = {"run-12": f"run-{trained.id}", "ftjob-12": f"ftjob-{trained.id}"}, {}
    for _path, _method, operation in operations:
        source = _with_ids(operation["x-codeSamples"][0]["source"], ids)
        exec(compile(source, operation["operationId"], "exec"), namespace)  # noqa: S102 - our own examples
        if operation["operationId"] == "createFile":
            ids["file-3"] = namespace["f"].id
        if operation["operationId"] == "createFineTuningJob":
            ids["ftjob-12"] = namespace["job"].id
    assert namespace["reply"].id.startswith("cmpl-") and namespace["feedback"]["id"].startswith("feedback-")
    assert namespace["job"].status == "cancelled"  # the job the example started, cancelled by the example
    assert requests.get(model_url, headers={"Authorization": f"Bearer {raw}"}).status_code == 404  # deleted

    if shutil.which("curl") is None:
        pytest.skip("the openai examples ran; curl is not installed for its examples")
    TrainingRun.objects.filter(id=trained.id).update(model_deleted_at=None)
    ids = {"run-12": f"run-{trained.id}", "chatcmpl-42": namespace["reply"].id}
    for _path, _method, operation in operations:
        source = _with_ids(operation["x-codeSamples"][1]["source"], ids)
        done = subprocess.run(
            ["bash", "-c", source + " --silent --show-error"], capture_output=True, text=True, timeout=120
        )
        answer = json.loads(done.stdout)
        assert done.returncode == 0 and list(answer) != ["error"], (
            operation["operationId"],
            source,
            done.stdout,
            done.stderr,
        )
        if operation["operationId"] == "createFile":
            ids["file-3"] = answer["id"]
        if operation["operationId"] == "createFineTuningJob":
            ids["ftjob-12"] = answer["id"]
    assert answer == {"id": f"run-{trained.id}", "object": "model", "deleted": True}


def _with_ids(source, ids):
    for example, real in ids.items():
        source = re.sub(rf"\b{re.escape(example)}\b(?!-)", real, source)
    return source


# --- server errors schemathesis found ------------------------------------------------------------

NUL = "a\u0000b"
# Requests that answered 500 until they were fixed, found by the schemathesis run below; each is
# kept as a regression test.
# (id, operation, url, JSON body or None, exception, text in the server's traceback back then)
FOUND_SERVER_ERRORS = [
    (
        "chat-nul-in-message",
        "POST /v1/chat/completions",
        "/v1/chat/completions",
        {"model": "{run}", "messages": [{"role": "user", "content": NUL}], "max_tokens": 2},
        "DataError",
        "unsupported Unicode escape sequence",
    ),
    (
        "completion-nul-in-prompt",
        "POST /v1/completions",
        "/v1/completions",
        {"model": "{run}", "prompt": NUL, "max_tokens": 2},
        "DataError",
        "unsupported Unicode escape sequence",
    ),
    (
        "completion-tiny-temperature",
        "POST /v1/completions",
        "/v1/completions",
        {"model": "{run}", "prompt": "Hello", "max_tokens": 4, "temperature": 1e-300},
        "RuntimeError",
        "probability tensor contains",
    ),
    (
        "chat-tiny-temperature",
        "POST /v1/chat/completions",
        "/v1/chat/completions",
        {"model": "{run}", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4, "temperature": 5e-324},
        "RuntimeError",
        "probability tensor contains",
    ),
    (
        "feedback-nul-in-correction",
        "POST /v1/feedback",
        "/v1/feedback",
        {"completion_id": "{completion}", "rating": 3, "correction": NUL},
        "DataError",
        "NUL (0x00)",
    ),
    (
        "feedback-nul-in-comment",
        "POST /v1/feedback",
        "/v1/feedback",
        {"completion_id": "{completion}", "rating": 3, "comment": NUL},
        "DataError",
        "NUL (0x00)",
    ),
    ("file-nul-in-purpose", "POST /v1/files", "/v1/files", {"purpose": "fi\u0000ne"}, "DataError", "NUL (0x00)"),
    (
        "job-from-a-file-with-nul",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"training_file": "{nul_file}"},
        "DataError",
        "NUL (0x00)",
    ),
    (
        "job-same-file-twice",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"training_file": "{file}"},
        "IntegrityError",
        "one_version_name_per_project",
    ),
    (
        "job-suffix-over-120",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "suffix": "x" * 121},
        "DataError",
        "character varying(120)",
    ),
    (
        "job-nul-in-suffix",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "suffix": NUL},
        "DataError",
        "NUL (0x00)",
    ),
    (
        "job-nul-in-model",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "model": NUL},
        "DataError",
        "NUL (0x00)",
    ),
    (
        "job-nul-in-dataset-version",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": NUL},
        "DataError",
        "NUL (0x00)",
    ),
    (
        "job-learning-rate-text",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "hyperparameters": {"learning_rate_multiplier": "abc"}},
        "ValueError",
        "could not convert string to float",
    ),
    (
        "job-learning-rate-list",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "hyperparameters": {"learning_rate_multiplier": [1]}},
        "TypeError",
        "float() argument",
    ),
    (
        "job-seed-text",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "seed": "abc"},
        "ValueError",
        "invalid literal for int()",
    ),
    (
        "job-seed-list",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"dataset_version": "v1", "seed": [1]},
        "TypeError",
        "int() argument",
    ),
    # str.isdigit() accepts "²" (and "①", ...) where int() does not
    (
        "chat-model-superscript-digit",
        "POST /v1/chat/completions",
        "/v1/chat/completions",
        {"model": "run-²", "messages": [{"role": "user", "content": "hi"}]},
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "model-superscript-digit",
        "GET /v1/models/{model_id}",
        "/v1/models/run-²",
        None,
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "delete-model-superscript-digit",
        "DELETE /v1/models/{model_id}",
        "/v1/models/run-²",
        None,
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "job-superscript-digit",
        "GET /v1/fine_tuning/jobs/{job_id}",
        "/v1/fine_tuning/jobs/ftjob-²",
        None,
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "events-superscript-digit",
        "GET /v1/fine_tuning/jobs/{job_id}/events",
        "/v1/fine_tuning/jobs/ftjob-²/events",
        None,
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "cancel-superscript-digit",
        "POST /v1/fine_tuning/jobs/{job_id}/cancel",
        "/v1/fine_tuning/jobs/ftjob-²/cancel",
        None,
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "feedback-superscript-digit",
        "POST /v1/feedback",
        "/v1/feedback",
        {"completion_id": "chatcmpl-²", "rating": 3},
        "ValueError",
        "invalid literal for int() with base 10",
    ),
    (
        "job-file-superscript-digit",
        "POST /v1/fine_tuning/jobs",
        "/v1/fine_tuning/jobs",
        {"training_file": "file-²"},
        "ValueError",
        "invalid literal for int() with base 10",
    ),
]
NEEDS_A_TRAINED_MODEL = {"completion-tiny-temperature", "chat-tiny-temperature"}


def _fill(value, ids):
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    "known",
    [
        pytest.param(entry, id=entry[0], marks=[pytest.mark.slow] if entry[0] in NEEDS_A_TRAINED_MODEL else [])
        for entry in FOUND_SERVER_ERRORS
    ],
)
def test_requests_schemathesis_found_are_not_server_errors(known, client, people, tiny_model_dir, request, spec):
    """Each answers with a status its operation documents, and not 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from api.models import ApiFile, ServedCompletion
    from curation.core.demo_tickets import make_examples
    from curation.core.splits import SplitConfig
    from curation.models import Example
    from curation.versions import freeze
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel, TrainingRun

    name, operation, url, body, exception, text = known
    if name in NEEDS_A_TRAINED_MODEL:
        run = request.getfixturevalue("trained")
        base = run.base_model
    else:  # a succeeded run without an adapter: enough for everything before generation
        base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
        base.record_inspection(info=inspect_model_folder(tiny_model_dir))
        Example.objects.bulk_create(
            Example(
                project=people.project,
                author=people.annotator,
                status=Example.Status.APPROVED,
                instruction=e.instruction,
                input=e.input,
                output=e.output,
            )
            for e in make_examples(n=10)
        )
        version = freeze(
            people.project,
            people.lead,
            name="v1",
            note="",
            config=SplitConfig(ratios=(0.8, 0.0, 0.2)),
            leakage_override="templated",
        )
        run = TrainingRun.objects.create(
            project=people.project,
            name="r1",
            dataset_version=version,
            base_model=base,
            config={},
            status=TrainingRun.Status.SUCCEEDED,
        )
    people.project.base_model = base
    people.project.save(update_fields=["base_model"])
    served = ServedCompletion.objects.create(
        project=people.project,
        run=run,
        endpoint="chat.completions",
        messages=[{"role": "user", "content": "hi"}],
        output="ok",
    )
    rows = [
        {"instruction": f"Triage: {text}", "output": "shipping"} for text in ("late parcel", "broken box", "lost order")
    ]
    files = {}
    for key, content in (
        ("{file}", rows),
        ("{nul_file}", [{**row, "instruction": row["instruction"] + NUL} for row in rows]),
    ):
        data = "\n".join(json.dumps(row) for row in content).encode()
        files[key] = (
            f"file-{ApiFile.objects.create(project=people.project, user=people.lead, filename='train.jsonl', size=len(data), content=data, rows=len(rows)).id}"
        )
    ids = {"{run}": f"run-{run.id}", "{completion}": served.public_id, **files}
    _, raw = ApiToken.issue(people.lead, "regression")
    method = operation.split()[0].lower()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    tracebacks = _ServerTracebacks()
    logging.getLogger().addHandler(tracebacks)
    try:
        for _ in range(2 if name == "job-same-file-twice" else 1):
            if operation == "POST /v1/files":
                response = client.post(
                    url,
                    {**body, "file": SimpleUploadedFile("train.jsonl", b'{"instruction": "a", "output": "b"}')},
                    **headers,
                )
            elif body is None:
                response = getattr(client, method)(url, **headers)
            else:
                response = getattr(client, method)(
                    url, data=json.dumps(_fill(body, ids)), content_type="application/json", **headers
                )
    finally:
        logging.getLogger().removeHandler(tracebacks)
    documented = spec["paths"][operation.split()[1]][method]["responses"]
    assert response.status_code != 500 and str(response.status_code) in documented, (
        response.content,
        "\n".join(tracebacks.texts),
    )


# --- schemathesis against the live server -----------------------------------------------------


def _with_real_ids(case, draw, real):
    """Half the cases get real ids where the schema can only say "a string" (a model, a job, a
    file, a completion, the project), so that they get past the 404s into the work behind them."""
    from hypothesis import strategies as st

    if not draw(st.booleans()):
        return case
    path = case.operation.path
    for name in ("model_id", "job_id"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = real[name]
    if path in ("/v1/files", "/v1/fine_tuning/jobs") and case.method == "POST":
        case.headers = {**(case.headers or {}), "OpenAI-Project": real["project"]}
    if isinstance(case.body, dict):
        if path in ("/v1/chat/completions", "/v1/completions"):
            case.body["model"] = real["model_id"]
        elif path == "/v1/feedback":
            case.body["completion_id"] = draw(st.sampled_from(real["completions"]))
        elif path == "/v1/fine_tuning/jobs":
            source = draw(st.sampled_from(["training_file", "dataset_version"]))
            case.body[source] = real[source]
            if "model" in case.body:
                case.body["model"] = draw(st.sampled_from([real["base_model"], "base", None]))
    return case


class _ServerTracebacks(logging.Handler):
    """The tracebacks the API logs for its 500s (api/middleware.py), to report with each failure."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.texts = []

    def emit(self, record):
        if record.exc_info:
            self.texts.append("".join(traceback.format_exception(*record.exc_info)))


def _signature(label, failure_text, server_traceback):
    """What makes two failures the same bug: the operation and, for a 500, the exception and the
    last line of the studio's own code it passed through; otherwise the checks that failed."""
    if server_traceback:
        frames = re.findall(r'File "(/[^"]+)", line (\d+)', server_traceback)
        ours = [
            f"{path.rsplit('/main/', 1)[-1]}:{line}"
            for path, line in frames
            if "/.venv/" not in path and "/site-packages/" not in path
        ]
        return (label, server_traceback.strip().splitlines()[-1].split(":")[0], ours[-1] if ours else "")
    return (label, tuple(sorted(set(re.findall(r"^- (ST\d+ [^\n]+)", failure_text, re.M)))) or failure_text[:200])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_errors_and_answers_match_the_schema(live_server, people, trained, settings):
    """Every operation, positive and negative cases, as a lead of a project whose base model is
    the tiny model and which has a trained run; the schema is the one the server serves. Every
    failing case is collected (not only the first of an operation) and reported once per bug, with
    the server's traceback. SCHEMATHESIS_EXAMPLES=200 runs a
    deeper, random search."""
    import os

    import requests
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from training.models import TrainingRun

    settings.API_MAX_NEW_TOKENS = 24  # the served schema follows: short answers keep the run fast
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    people.project.base_model = trained.base_model
    people.project.save(update_fields=["base_model"])
    _, raw = ApiToken.issue(people.lead, "schemathesis")
    auth = {"Authorization": f"Bearer {raw}"}
    session = requests.Session()

    # things to point at: a served chat answer and a plain completion, an uploaded file
    completions = []
    for path, body in (
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "My parcel is late."}]}),
        ("/v1/completions", {"prompt": "Hello"}),
    ):
        answer = session.post(
            live_server.url + path, json={"model": f"run-{trained.id}", "max_tokens": 4, **body}, headers=auth
        )
        assert answer.status_code == 200, answer.text
        completions.append(answer.json()["id"])
    rows = "\n".join(
        json.dumps({"instruction": f"Triage: {text}", "output": '{"category": "shipping"}'})
        for text in ("late parcel", "broken box", "lost order", "wrong size")
    )
    upload = session.post(
        live_server.url + "/v1/files",
        files={"file": ("train.jsonl", rows.encode())},
        data={"purpose": "fine-tune"},
        headers=auth,
    )
    assert upload.status_code == 200, upload.text
    real = {
        "model_id": f"run-{trained.id}",
        "job_id": f"ftjob-{trained.id}",
        "project": people.project.slug,
        "completions": completions,
        "training_file": upload.json()["id"],
        "dataset_version": trained.dataset_version.name,
        "base_model": trained.base_model.name,
    }

    schema = schemathesis.openapi.from_url(live_server.url + "/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
    ]
    examples = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
    tracebacks = _ServerTracebacks()
    logging.getLogger().addHandler(tracebacks)
    bugs, calls = {}, []
    try:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @hypothesis_settings(
                    max_examples=examples,
                    deadline=None,
                    database=None,
                    derandomize=examples <= 12,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(data=st.data())
                def run(data):  # called at once below, so the loop variables are the current ones
                    case = _with_real_ids(data.draw(operation.as_strategy(generation_mode=mode)), data.draw, real)  # noqa: B023
                    calls.append(case.operation.label)
                    del tracebacks.texts[:]
                    try:
                        response = case.call(base_url=live_server.url, session=session, headers=auth, timeout=60)
                        case.validate_response(response, checks=checks)
                    except (AssertionError, BaseExceptionGroup) as failure:  # noqa: B030 - schemathesis raises FailureGroup
                        server = tracebacks.texts[-1] if tracebacks.texts else ""
                        bugs.setdefault(
                            _signature(case.operation.label, str(failure), server),
                            (f"{case.operation.label} ({mode.value})", str(failure), server),  # noqa: B023
                        )
                    finally:
                        if case.method == "DELETE":  # a model the fuzzing stopped is served again for the next case
                            TrainingRun.objects.filter(id=trained.id).update(model_deleted_at=None)

                run()
    finally:
        logging.getLogger().removeHandler(tracebacks)
    # schemathesis leaves out the operation that serves the schema it was loaded from
    assert {o.label for o in operations} | {"GET /v1/openapi.json"} == {
        f"{method.upper()} {path}" for path, method, _ in _operations(build_schema())
    }
    assert set(calls) == {o.label for o in operations} and len(calls) >= len(operations) * examples
    print(f"{len(calls)} requests")
    report = [f"=== {where}\n{text}\n{server[-3000:]}" for where, text, server in bugs.values()]
    assert not bugs, f"{len(bugs)} distinct failure(s):\n\n" + "\n\n".join(report)
