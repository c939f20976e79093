"""GET and POST /v1/files: training files, parsed and checked like an import in the browser and
kept with their findings, for POST /v1/fine_tuning/jobs to train on."""

from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpResponse
from ninja import File, Form, Header, Path, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from api.bodies import Described
from api.errors import ApiError
from api.models import ApiFile, ApiJob
from api.openapi import CREATED, EXAMPLE_FILE, EXAMPLE_PROJECT, documented
from api.pagination import After, limit_param, page
from api.scope import acting_project, hidden_runs, object_id, owned, project_ids
from studio.models import Action

router = Router(tags=["Files"])

ProjectHeader = Header[
    str | None,
    {
        "alias": "OpenAI-Project",
        "description": "The slug of the project to act in (the openai client's `project=`). May be left out by "
        "someone in only one project whose role allows the action.",
        "example": EXAMPLE_PROJECT,
    },
]


class Finding(Schema):
    line: int
    check: str = Field(description="format, length, repetition, pii, duplicate or contradiction")
    severity: Literal["error", "warning"]
    message: str


class FileObject(Schema):
    id: str = Field(pattern="^file-[0-9]+$")
    object: Literal["file"]
    bytes: int = Field(ge=0)
    created_at: int
    filename: str
    purpose: str
    status: Literal["processed"]
    status_details: None
    studio_examples: int = Field(ge=0, description="Examples read from the file.")
    studio_findings: list[Finding] = Field(description="What the checks found (the first 500).")


class FileList(Schema):
    object: Literal["list"]
    data: list[FileObject]
    has_more: bool
    first_id: str | None
    last_id: str | None


class DeletedFile(Schema):
    id: str = Field(pattern="^file-[0-9]+$")
    object: Literal["file"]
    deleted: Literal[True]


FileLimit = limit_param(10000, 10000)
PurposeQuery = Query[str | None, {"description": "Only files of this purpose."}]
OrderQuery = Query[Literal["asc", "desc"], {"description": "By creation: desc (newest first) or asc."}]
FileId = Path[str, {"description": "A file id from GET /v1/files.", "example": EXAMPLE_FILE}]


FILE_EXAMPLE = {
    "id": EXAMPLE_FILE,
    "object": "file",
    "bytes": 48213,
    "created_at": CREATED,
    "filename": "train.jsonl",
    "purpose": "fine-tune",
    "status": "processed",
    "status_details": None,
    "studio_examples": 200,
    "studio_findings": [
        {"line": 17, "check": "pii", "severity": "warning", "message": "an e-mail address in the output"}
    ],
}


def file_object(f):
    return {
        "id": f"file-{f.id}",
        "object": "file",
        "bytes": f.size,
        "created_at": int(f.created_at.timestamp()),
        "filename": f.filename,
        "purpose": f.purpose,
        "status": "processed",
        "status_details": None,
        "studio_examples": f.rows,
        "studio_findings": f.findings,
    }


def visible_files(request):
    """Every file but the metrics files of runs hidden from the caller by a blind study."""
    hidden = ApiJob.objects.filter(run_id__in=hidden_runs(request), result_file__isnull=False)
    return ApiFile.objects.exclude(id__in=hidden.values("result_file_id"))


@router.get(
    "/files",
    response=FileList,
    operation_id="listFiles",
    summary="List files",
    description="The files uploaded to any of your projects, newest first (`order=asc`: oldest first), a page "
    "of `limit` at a time; `after` is the last id of the page before.",
    url_name="files",
    openapi_extra=documented(
        {
            "object": "list",
            "data": [FILE_EXAMPLE],
            "has_more": False,
            "first_id": EXAMPLE_FILE,
            "last_id": EXAMPLE_FILE,
        },
        "The files.",
        errors=(400, 401, 429),
        python="for f in client.files.list():\n    print(f.id, f.filename, f.studio_examples)",
    ),
)
def list_files(
    request,
    limit: FileLimit = 10000,
    after: After = None,
    purpose: PurposeQuery = None,
    order: OrderQuery = "desc",
):
    found = visible_files(request).filter(project_id__in=project_ids(request)).defer("content")
    if purpose:
        found = found.filter(purpose=purpose)
    files, has_more = page(found, limit, after, "file", newest_first=order == "desc")
    data = [file_object(f) for f in files]
    return {
        "object": "list",
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def file_for(request, file_id, action=None):
    """The file an id names in the requester's projects (404 otherwise); 403 when the role in its
    project may not do `action`."""
    missing = ApiError(f"No file {file_id!r} in your projects.", param="file_id", status=404, code="not_found")
    return owned(request, visible_files(request).defer("content"), object_id(file_id, "file"), action, missing)


@router.get(
    "/files/{file_id}",
    response=FileObject,
    operation_id="retrieveFile",
    summary="Retrieve a file",
    url_name="file",
    openapi_extra=documented(
        FILE_EXAMPLE,
        "The file.",
        errors=(401, 404, 429),
        python=f'f = client.files.retrieve("{EXAMPLE_FILE}")\nprint(f.filename, f.bytes)',
    ),
)
def retrieve_file(request, file_id: FileId):
    return file_object(file_for(request, file_id))


def downloaded(extra):
    """An operation's `openapi_extra` whose answer is the file's bytes, not JSON."""
    extra["responses"][200]["content"] = {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    return extra


@router.get(
    "/files/{file_id}/content",
    response={200: None},
    operation_id="downloadFile",
    summary="Download a file's content",
    description="The bytes as uploaded.",
    url_name="file-content",
    openapi_extra=downloaded(
        documented(
            None,
            "The file's bytes.",
            errors=(401, 404, 429),
            python=f'data = client.files.content("{EXAMPLE_FILE}").read()',
        )
    ),
)
def file_content(request, file_id: FileId):
    f = ApiFile.objects.get(id=file_for(request, file_id).id)
    response = HttpResponse(bytes(f.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{f.filename.replace(chr(34), "")}"'
    return response


@router.delete(
    "/files/{file_id}",
    response=DeletedFile,
    operation_id="deleteFile",
    summary="Delete a file",
    description="Needs a role that may write examples. Jobs started from it and the examples it became are kept.",
    openapi_extra=documented(
        {"id": EXAMPLE_FILE, "object": "file", "deleted": True},
        "The file is deleted.",
        errors=(401, 403, 404, 429),
        python=f'client.files.delete("{EXAMPLE_FILE}")',
    ),
)
def delete_file(request, file_id: FileId):
    f = file_for(request, file_id, Action.WRITE_EXAMPLES)
    ApiFile.objects.filter(id=f.id).delete()
    return {"id": file_id, "object": "file", "deleted": True}


def upload_description():
    return f"The file, UTF-8, at most {settings.MAX_UPLOAD_BYTES:,} bytes (the MAX_UPLOAD_BYTES setting)."


Upload = File[Annotated[UploadedFile, Described(upload_description)]]
Purpose = Form[str, {"max_length": 40, "description": "Kept with the file."}]


@router.post(
    "/files",
    response=FileObject,
    operation_id="createFile",
    summary="Upload a training file",
    description=(
        "JSONL, JSON or CSV (by the file name's extension, else by its first character), with alpaca "
        "(`instruction`, `input`, `output`), chat (`messages`) or prompt/completion rows, as in the browser import. "
        "A line that cannot be read refuses the whole file, naming the line; the checks' findings come back in "
        "`studio_findings`. Needs a role that may write examples."
    ),
    openapi_extra=documented(
        FILE_EXAMPLE,
        "The file, parsed and checked.",
        errors=(400, 401, 403, 404, 413, 429),
        python='f = client.files.create(file=open("train.jsonl", "rb"), purpose="fine-tune")\n'
        "print(f.id, f.studio_examples, f.studio_findings)",
        curl_form=["purpose=fine-tune", "file=@train.jsonl"],
    ),
)
def create_file(
    request,
    file: Upload,
    purpose: Purpose = "fine-tune",
    openai_project: ProjectHeader = None,
):
    from curation.checking import project_rules
    from curation.core.dataset import check_records
    from studio.core.formats import FileError, read_rows

    project = acting_project(request, Action.WRITE_EXAMPLES)
    if file.size > settings.MAX_UPLOAD_BYTES:
        raise ApiError(
            f"The file is {file.size:,} bytes; the limit is {settings.MAX_UPLOAD_BYTES:,}.", param="file", status=413
        )
    data = file.read()
    try:
        rows, line_errors = read_rows(data, file.name, max_bytes=None)
    except FileError as e:
        raise ApiError(f"{file.name}: {e}", param="file") from None
    if line_errors:
        listed = "; ".join(str(e) for e in line_errors[:10])
        raise ApiError(
            f"{file.name} was not accepted: {len(line_errors)} line(s) cannot be read: {listed}", param="file"
        )
    found = check_records([r.record for r in rows], project_rules(project), label=lambda i: f"line {rows[i].line}")
    findings = [
        {"line": rows[i].line, "check": f.check, "severity": f.severity, "message": f.message}
        for i, fs in sorted(found.items())
        for f in fs
    ]
    f = ApiFile.objects.create(
        project=project,
        user=request.user,
        filename=file.name.replace("\x00", "")[:255],
        purpose=purpose,
        size=len(data),
        content=data,
        rows=len(rows),
        findings=findings[:500],
    )
    return file_object(f)
