"""Splits carried from one frozen version to the next, through the freeze page and the job:
no drift, bridges pulled out of train with the move listed, and the lead's re-split reason."""

import json

import pytest

from curation.core.splits import SplitConfig
from curation.models import DatasetVersion, Example, Job
from curation.versions import freeze as freeze_now
from tests.curation.test_versions import TICKETS, freeze

pytestmark = pytest.mark.django_db

# a near-miss pair per line: the two sides are two slips apart (not near-duplicates); the
# bridge is one slip from each
PAIRS = [
    ("parcel", "parcle", "Lyon"),
    ("jacket", "jakcet", "Porto"),
    ("kettle", "ketlte", "Ghent"),
    ("blender", "bledner", "Turin"),
    ("printer", "pirnter", "Malmo"),
    ("charger", "chagrer", "Bilbao"),
    ("monitor", "moniotr", "Krakow"),
    ("camera", "caemra", "Leeds"),
]


def ticket(text, category="shipping"):
    return {"input": text, "output": json.dumps({"category": category, "priority": "normal"})}


def side_a(item, slip, city):
    return f"My {item} from {city} never arrived yesterday"


def side_b(item, slip, city):
    return f"My {slip} from {city} never arived yesterday"


def bridge(item, slip, city):
    return f"My {slip} from {city} never arrived yesterday"


@pytest.fixture
def approved(make_example):
    categories = ["shipping", "billing", "technical"]
    return [
        make_example(status=Example.Status.APPROVED, **ticket(text, categories[i % 3]))
        for i, text in enumerate(TICKETS * 1)
    ] + [
        make_example(status=Example.Status.APPROVED, **ticket(f"Order {n} arrived with a {thing} missing", "shipping"))
        for n, thing in enumerate(["lid", "strap", "cable", "manual", "battery", "screw", "hinge", "plug"])
    ]


def splits_of(version):
    return dict(version.items.values_list("example_id", "split"))


def test_adding_seven_editing_one_and_removing_one_moves_nothing(
    as_user, people, approved, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="v1", leakage_override="templated")
    v1 = DatasetVersion.objects.get()
    for k in range(7):
        make_example(status=Example.Status.APPROVED, **ticket(f"Ticket about a {k}-day delay with the {k}th courier"))
    Example.objects.filter(id=approved[3].id).update(input="The charger melted and smells of smoke", version=2)
    client.post(curation_url("delete-example", approved[5].id))
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="v2", leakage_override="templated")
    v2 = DatasetVersion.objects.get(name="v2")
    assert v2.based_on_id == v1.id and v2.split_moves == []
    before, after = splits_of(v1), splits_of(v2)
    assert all(after[i] == before[i] for i in after if i in before)
    assert len(after) == len(before) + 7 - 1
    assert "moved between splits" not in Job.objects.get(details__name="v2").message
    page = client.get(curation_url("version", v2.id)).content.decode()
    assert "No example moved between splits." in page
    diff = client.get(curation_url("version-diff", v2.id, v1.id)).content.decode()
    assert "7 added · 1 removed · 1 edited · 0 moved to another split" in diff


def test_a_bridge_pulls_its_group_out_of_train_and_the_diff_says_why(
    as_user, people, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    sides = [
        (
            make_example(status=Example.Status.APPROVED, **ticket(side_a(*p))),
            make_example(status=Example.Status.APPROVED, **ticket(side_b(*p))),
        )
        for p in PAIRS
    ]
    client = as_user(people.lead)
    freeze(
        client,
        curation_url,
        django_capture_on_commit_callbacks,
        name="v1",
        train=50,
        validation=0,
        test=50,
        leakage_override="pairs",
    )
    v1 = DatasetVersion.objects.get()
    before = splits_of(v1)
    # the first pair that straddles train and test; the split depends only on content and seed
    k, (a, b) = next((k, s) for k, s in enumerate(sides) if before[s[0].id] != before[s[1].id])
    trained, held_out = (a, b) if before[a.id] == "train" else (b, a)
    link = make_example(status=Example.Status.APPROVED, **ticket(bridge(*PAIRS[k])))

    freeze(client, curation_url, django_capture_on_commit_callbacks, name="v2", leakage_override="pairs")
    v2 = DatasetVersion.objects.get(name="v2")
    after = splits_of(v2)
    assert after[trained.id] == after[held_out.id] == after[link.id] == "test"
    assert [(m["example"], m["from"], m["to"]) for m in v2.split_moves] == [(trained.id, "train", "test")]
    assert "1 moved between splits" in Job.objects.get(details__name="v2").message
    assert all(after[i] != "train" for i, s in before.items() if s == "test")

    reviewer = as_user(people.reviewer)  # anyone in the project reads the moves
    page = reviewer.get(curation_url("version-diff", v2.id, v1.id)).content.decode()
    assert "1 moved to another split" in page
    assert f"#{trained.id}</a>" in page
    assert f"new #{link.id} made it a near-duplicate of test example #{held_out.id}" in page
    assert "moved into train" not in page
    assert "1 example moved between splits" in reviewer.get(curation_url("version", v2.id)).content.decode()

    # across two steps the diff still says why, naming the version where it happened
    freeze(
        reviewer := as_user(people.lead),
        curation_url,
        django_capture_on_commit_callbacks,
        name="v3",
        leakage_override="pairs",
    )
    v3 = DatasetVersion.objects.get(name="v3")
    assert v3.split_moves == []
    page = reviewer.get(curation_url("version-diff", v3.id, v1.id)).content.decode()
    assert f"train → test in v2: new #{link.id}" in page


def test_the_leads_resplit_reason_is_kept_and_shown_with_every_move(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    freeze(
        client,
        curation_url,
        django_capture_on_commit_callbacks,
        name="v1",
        train=60,
        validation=20,
        test=20,
        leakage_override="t",
    )
    v1 = DatasetVersion.objects.get()
    reason = "The first split was made before the billing review; re-dealt after sign-off."
    freeze(
        client,
        curation_url,
        django_capture_on_commit_callbacks,
        name="v2",
        seed=4,
        resplit_reason=reason,
        leakage_override="t",
    )
    v2 = DatasetVersion.objects.get(name="v2")
    assert v2.resplit_reason == reason and v2.split_moves
    before, after = splits_of(v1), splits_of(v2)
    into_train = [i for i in after if before[i] != "train" and after[i] == "train"]
    assert into_train, "this seed deals some held-out tickets into train"
    assert {m["example"] for m in v2.split_moves} == {i for i in after if after[i] != before[i]}
    page = client.get(curation_url("version", v2.id)).content.decode()
    assert f"Re-split from scratch:</strong> {reason}" in page
    diff = client.get(curation_url("version-diff", v2.id, v1.id)).content.decode()
    assert f"{len(into_train)} example{'s' if len(into_train) > 1 else ''} moved into train." in diff
    assert diff.count(f"re-split by the lead: {reason}") == len(v2.split_moves)


def test_an_example_left_out_of_one_version_gets_its_old_split_back(people, approved):
    config = SplitConfig(ratios=(0.5, 0.0, 0.5))
    v1 = freeze_now(people.project, people.lead, name="v1", note="", config=config, leakage_override="t")
    held_out = [i for i, s in splits_of(v1).items() if s == "test"]
    Example.objects.filter(id__in=held_out).update(status=Example.Status.SUBMITTED)  # back in review
    v2 = freeze_now(people.project, people.lead, name="v2", note="", config=config, leakage_override="t")
    assert set(splits_of(v2)) == set(splits_of(v1)) - set(held_out)
    Example.objects.filter(id__in=held_out).update(status=Example.Status.APPROVED)
    v3 = freeze_now(people.project, people.lead, name="v3", note="", config=config, leakage_override="t")
    assert splits_of(v3) == splits_of(v1)
    assert v3.based_on_id == v2.id and v3.split_moves == []


def test_only_a_lead_freezes_or_resplits(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks, name="v1", leakage_override="t")
    v1 = DatasetVersion.objects.get()
    sneaky = {"name": "v2", "resplit_reason": "I want the test tickets to train on", "leakage_override": "t"}
    assert (
        freeze(as_user(people.outsider), curation_url, django_capture_on_commit_callbacks, **sneaky).status_code == 404
    )
    for user in (people.reviewer, people.annotator):
        assert freeze(as_user(user), curation_url, django_capture_on_commit_callbacks, **sneaky).status_code == 403
    assert as_user(people.outsider).get(curation_url("version-diff", v1.id, v1.id)).status_code == 404
    assert list(DatasetVersion.objects.values_list("name", flat=True)) == ["v1"]
    assert not Job.objects.filter(details__name="v2").exists()
