import pytest

from curation.models import Example

pytestmark = pytest.mark.django_db


def test_statistics_count_by_status_author_and_length(as_user, people, make_example, curation_url):
    make_example(input="My parcel is late", status=Example.Status.APPROVED)
    make_example(input="Contact me at bob@example.com", status=Example.Status.SUBMITTED)
    make_example(author=people.lead, input="A lead's own example", status=Example.Status.DRAFT)
    page = as_user(people.reviewer).get(curation_url("stats")).content.decode()
    assert "3 examples" in page
    assert '<td>arjun</td><td class="num">2</td>' in page
    assert '<td>lena</td><td class="num">1</td>' in page
    assert "pii" in page  # open findings by type
    assert page.count('<svg class="histogram"') == 3  # instruction, input and output lengths


def test_statistics_outsider(as_user, people, curation_url):
    assert as_user(people.outsider).get(curation_url("stats")).status_code == 404
    assert as_user(people.annotator).get(curation_url("stats")).status_code == 200
