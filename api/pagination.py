"""OpenAI's cursor pagination for the API's lists: `limit` and `after` (the id of the last item
of the page before), and a `has_more` that says whether another page follows."""

from ninja import Query

from api.scope import object_id


def limit_param(default, most):
    return Query[int, {"ge": 1, "le": most, "description": f"How many to return, 1 to {most}.", "example": default}]


After = Query[
    str | None,
    {"description": "The id of the last item of the previous page: this page starts after it."},
]


def page(rows, limit, after, prefix, newest_first=True):
    """(items, has_more) of a queryset ordered by id, newest first unless told otherwise; `after`
    is a public id such as file-3 (an unknown or malformed one starts at the beginning)."""
    number = object_id(after, prefix) if after else None
    rows = rows.order_by("-id" if newest_first else "id")
    if number is not None:
        rows = rows.filter(id__lt=number) if newest_first else rows.filter(id__gt=number)
    found = list(rows[: limit + 1])
    return found[:limit], len(found) > limit
