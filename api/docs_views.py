"""The API's OpenAPI schema as JSON, and the same schema rendered as a page for people. Neither
needs a token or a login: they describe the API, not anyone's data."""

import json
import re

from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

METHODS = ("get", "post", "delete")
ERROR_STATUSES = [
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (405, "MethodNotAllowed"),
    (413, "TooLarge"),
    (429, "RateLimited"),
    (502, "BadGateway"),
]


@require_GET
def api_docs(request):
    # django-ninja and the schemas load with the first /v1/ request or this page, not at start-up
    from api.v1 import build_schema, server_url

    spec = build_schema(server_url(request))
    sections = []
    for tag in spec["tags"]:
        operations = [
            _operation(spec, path, method, operation)
            for path, item in spec["paths"].items()
            for method, operation in item.items()
            if method in METHODS and tag["name"] in operation.get("tags", ())
        ]
        if operations:
            sections.append({"name": tag["name"], "description": inline(tag["description"]), "operations": operations})
    errors = [
        {"status": status, "description": inline(spec["components"]["responses"][name]["description"])}
        for status, name in ERROR_STATUSES
    ]
    return render(
        request,
        "api/docs.html",
        {
            "info": spec["info"],
            "intro": paragraphs(spec["info"]["description"]),
            "sections": sections,
            "errors": errors,
            "base_url": spec["servers"][0]["url"] + "/v1",
            "error_fields": _fields(spec, spec["components"]["schemas"]["Error"]),
        },
    )


def inline(text):
    """Our own descriptions' markdown (`code`, **bold**, *emphasis*) as HTML, everything else escaped."""
    html = str(escape(text))
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    return mark_safe(re.sub(r"\*([^*]+)\*", r"<em>\1</em>", html))


def paragraphs(text):
    return [inline(p) for p in text.split("\n\n") if p.strip()]


def _operation(spec, path, method, operation):
    item = spec["paths"][path]
    parameters = [_resolve(spec, p) for p in [*item.get("parameters", ()), *operation.get("parameters", ())]]
    body = None
    if "requestBody" in operation:
        media_type, content = next(iter(operation["requestBody"]["content"].items()))
        body = {
            "media_type": media_type,
            "fields": _fields(spec, _resolve(spec, content["schema"])),
            "description": inline(_resolve(spec, content["schema"]).get("description", "")),
            "example": json.dumps(content["example"], indent=2) if "example" in content else "",
        }
    responses = []
    for status, response in operation["responses"].items():
        response = _resolve(spec, response)
        content = response.get("content", {}).get("application/json", {})
        responses.append(
            {
                "status": status,
                "description": inline(response["description"]),
                "example": json.dumps(content["example"], indent=2)
                if status.startswith("2") and "example" in content
                else "",
            }
        )
    return {
        "id": operation["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": operation["summary"],
        "description": paragraphs(operation.get("description", "")),
        "token": operation.get("security") != [],
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": p.get("required", False),
                "type": type_text(spec, p["schema"]),
                "description": inline(p.get("description", "")),
            }
            for p in parameters
        ],
        "body": body,
        "responses": responses,
        "samples": operation.get("x-codeSamples", []),
    }


def _fields(spec, schema, prefix="", depth=0):
    """Rows (name, type, required, description) for an object's properties, nested objects and
    lists of objects flattened into dotted names (messages[].role)."""
    rows = []
    schema = _resolve(spec, schema)
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        prop = _resolve(spec, prop)
        rows.append(
            {
                "name": prefix + name,
                "type": type_text(spec, prop),
                "required": name in required,
                "description": inline(prop.get("description", "")),
            }
        )
        if depth < 2:
            prop = _not_null(spec, prop)
            if _is_object(prop) and prop.get("properties"):
                rows += _fields(spec, prop, f"{prefix}{name}.", depth + 1)
            items = _resolve(spec, prop.get("items", {}))
            if _is_object(items) and items.get("properties"):
                rows += _fields(spec, items, f"{prefix}{name}[].", depth + 1)
    return rows


def _not_null(spec, schema):
    """The one kind of a value that may also be null (anyOf [kind, null]), else schema."""
    kinds = [_resolve(spec, s) for s in schema.get("anyOf", ()) if s.get("type") != "null"]
    return kinds[0] if len(kinds) == 1 else schema


def _is_object(schema):
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def type_text(spec, schema):
    """A schema in a few words: `integer (1 to 2,048) or null; default 256`, `"system" | "user"`."""
    schema = _resolve(spec, schema)
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            text = " or ".join(type_text(spec, s) for s in schema[key])
            return text + (f"; default {json.dumps(schema['default'])}" if schema.get("default") is not None else "")
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    null = "null" in kinds
    kinds = [k for k in kinds if k != "null"]
    if not kinds:
        return "null"
    kind = kinds[0]
    if kind == "string" and schema.get("format") == "binary":
        text = "file"
    elif kind == "array":
        items = schema.get("items", {})
        text = "list" + _bounds(schema) + " of " + (items.get("$ref", "").rsplit("/", 1)[-1] or type_text(spec, items))
    else:
        text = kind + _bounds(schema)
    if null:
        text += " or null"
    if schema.get("default") is not None:
        text += f"; default {json.dumps(schema['default'])}"
    return text


def _bounds(schema):
    """` (1 to 2,048)`, ` (not empty, at most 5,000 characters)` or nothing."""
    bounds = []
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is not None and high is not None:
        bounds.append(
            f"{'above ' if 'exclusiveMinimum' in schema else ''}{_number(low)} to {'below ' if 'exclusiveMaximum' in schema else ''}{_number(high)}"
        )
    elif low is not None:
        bounds.append(f"above {_number(low)}" if "exclusiveMinimum" in schema else f"{_number(low)} or more")
    elif high is not None:
        bounds.append(f"below {_number(high)}" if "exclusiveMaximum" in schema else f"at most {_number(high)}")
    if schema.get("minLength") == 1 or schema.get("minItems") == 1:
        bounds.append("not empty")
    elif schema.get("minLength") or schema.get("minItems"):
        bounds.append(f"at least {_number(schema.get('minLength') or schema['minItems'])}")
    if "maxLength" in schema:
        bounds.append(f"at most {_number(schema['maxLength'])} characters")
    if "maxItems" in schema:
        bounds.append(f"at most {_number(schema['maxItems'])} items")
    return f" ({', '.join(bounds)})" if bounds else ""


def _number(value):
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _resolve(spec, node):
    """node with a top-level $ref (a local one, '#/...') followed, repeatedly."""
    from api.openapi import resolve

    return resolve(spec, node)
