"""The example list's text search once it looks in chats too, at 100,000 examples on PostgreSQL.

Searching chats adds a fourth condition to the search (the contents of the turns, see
curation.listing.ChatContents). With migration 0015's trigram index on that expression the
search stays a bitmap OR of index scans; without it, every chat is read. Figures are ratios in
the same run: the list page with a search against the list page without one, and the search's
query against the search without chats (what the list did before) and without the chat index.
The search folds case and accents on both sides ("chloe" finds "Chloé", migration 0019).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/chat_search.py [--n 100000]

Fills a project of its own once (a third of the examples are chats). Writes
benchmarks/results/chat_search.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.django_db import ms, percentile, setup_django  # noqa: E402

WORDS = (
    "parcel kettle refund invoice printer late broken damaged box courier address billing returns "
    "shipping order blender charger warranty receipt voucher café Chloé"
).split()
SEARCHES = {
    "a rare token in one chat": "n{rare}",
    "a word in many examples": "kettle",
    "a word in none": "zebra",
    "an accented name typed plainly": "chloe",
}


def fill(project, user, n):
    from curation.models import Example

    rng = random.Random(7)
    rows = []
    for i in range(n):
        text = " ".join(rng.choices(WORDS, k=12)) + f" n{i}"
        if i % 3 == 0:
            messages = [
                {"role": "user", "content": text},
                {"role": "assistant", "content": "We are on it: " + text[:40]},
            ]
            rows.append(Example(project=project, author=user, messages=messages))
        else:
            rows.append(Example(project=project, author=user, instruction="Triage.", input=text, output="{}"))
    Example.objects.bulk_create(rows, batch_size=5000)


def timed(fn, rounds):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Q, Value
    from django.test import Client

    from curation.listing import Filters, Folded
    from studio.models import Project

    user, _ = get_user_model().objects.get_or_create(username="bench-chat-search")
    project = Project.objects.filter(slug="chat-search-bench").first()
    if project is None or project.examples.count() != args.n:
        if project:
            project.delete()
        project = Project.create_with_lead(name="chat search bench", description="", lead=user)
        fill(project, user, args.n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE curation_example")
    rare = 3 * random.Random(1).randrange(3334, 33333)  # a chat's own five-digit token: found once

    client = Client()
    client.force_login(user)
    url = f"/p/{project.slug}/examples/"
    client.get(url)  # warm
    baseline = timed(lambda: client.get(url), args.rounds)

    def query(words, with_chats=True):
        if with_chats:
            qs = Filters(q=words).apply(project)
        else:
            sought = Folded(Value(words))
            qs = (
                project.examples.filter(deleted_at=None)
                .alias(i=Folded("instruction"), n=Folded("input"), o=Folded("output"))
                .filter(Q(i__contains=sought) | Q(n__contains=sought) | Q(o__contains=sought))
            )
        return lambda: list(qs.order_by("-id").values_list("id", flat=True)[:51])

    results = {}
    for name, template in SEARCHES.items():
        words = template.format(rare=rare)
        page = timed(lambda w=words: client.get(url, {"q": w}), args.rounds)
        new = timed(query(words), args.rounds)
        old = timed(query(words, with_chats=False), args.rounds)
        with transaction.atomic():  # the same search without the chat index, rolled back after
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX IF EXISTS curation_example_chat_fold_trgm")
            unindexed = timed(query(words), max(5, args.rounds // 3))
            transaction.set_rollback(True)
        results[name] = {
            "words": words,
            "found": len(query(words)()),
            "list_page_p95_ms": ms(percentile(page, 95)),
            "ratio_page_p95_to_list_without_search": round(percentile(page, 95) / percentile(baseline, 95), 2),
            "search_query_median_ms": ms(statistics.median(new)),
            "ratio_to_search_without_chats": round(statistics.median(new) / statistics.median(old), 2),
            "ratio_to_search_without_chat_index": round(statistics.median(new) / statistics.median(unindexed), 3),
        }

    result = {
        "benchmark": "chat_search",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version}",
        "load_average_1min": round(os.getloadavg()[0], 1),
        "examples": args.n,
        "chats": project.examples.filter(messages__isnull=False).count(),
        "list_without_search_p95_ms": ms(percentile(baseline, 95)),
        "searches": results,
    }
    out = ROOT / "benchmarks" / "results" / "chat_search.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
