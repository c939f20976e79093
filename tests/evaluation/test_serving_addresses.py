"""The serving page's connection test refuses internal addresses unless SERVING_ALLOW_PRIVATE."""

import socket

import pytest
from django.urls import reverse

from evaluation.core.backends import BackendError, refuse_internal_address

pytestmark = pytest.mark.django_db


def resolving_to(*addresses):
    def resolve(host, port, type=0):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("10.1.2.3",),
        ("192.168.0.5",),
        ("169.254.169.254",),
        ("::1",),
        ("fe80::1",),
        ("::ffff:127.0.0.1",),
        ("93.184.215.14", "10.0.0.7"),  # one public and one private answer: refused
    ],
)
def test_internal_addresses_are_refused(addresses):
    with pytest.raises(BackendError, match="internal address"):
        refuse_internal_address("http://tgi.example.com:8080", resolve=resolving_to(*addresses))


def test_a_trusted_host_name_passes_on_a_private_address():
    refuse_internal_address("http://tgi:80", resolve=resolving_to("172.18.0.5"), trusted_hosts=["TGI"])
    with pytest.raises(BackendError, match="internal address"):
        refuse_internal_address("http://vllm:8000/v1", resolve=resolving_to("172.18.0.6"), trusted_hosts=["tgi"])


def test_public_addresses_pass_and_unknown_names_are_refused():
    refuse_internal_address("https://tgi.example.com/v1", resolve=resolving_to("93.184.215.14", "2606:2800:21f::1"))

    def fails(*args, **kwargs):
        raise socket.gaierror("Name or service not known")

    with pytest.raises(BackendError, match="does not resolve"):
        refuse_internal_address("http://nowhere.invalid", resolve=fails)


def test_the_connection_test_refuses_loopback_and_metadata_unless_allowed(as_user, people, settings):
    url = reverse("evaluation:serving-backend", args=[people.project.slug])
    settings.SERVING_ALLOW_PRIVATE = False
    for address in ("http://127.0.0.1:9", "http://169.254.169.254/latest", "http://localhost:9/v1"):
        page = (
            as_user(people.lead)
            .post(url, {"kind": "tgi", "base_url": address, "timeout": 600, "concurrency": 2, "action": "test"})
            .content.decode()
        )
        assert "No answer:" in page and "internal address" in page, address
    settings.SERVING_TRUSTED_HOSTS = ["localhost"]
    page = (
        as_user(people.lead)
        .post(
            url, {"kind": "tgi", "base_url": "http://localhost:9", "timeout": 600, "concurrency": 2, "action": "test"}
        )
        .content.decode()
    )
    assert "No answer:" in page and "internal address" not in page
    settings.SERVING_TRUSTED_HOSTS = []
    settings.SERVING_ALLOW_PRIVATE = True
    page = (
        as_user(people.lead)
        .post(
            url, {"kind": "tgi", "base_url": "http://127.0.0.1:9", "timeout": 600, "concurrency": 2, "action": "test"}
        )
        .content.decode()
    )
    assert "No answer:" in page and "internal address" not in page  # tried, and nobody listens on port 9


def test_a_name_that_resolves_elsewhere_the_second_time_still_reaches_the_checked_address():
    """DNS rebinding: public for the check, the metadata service for the request. While the check
    holds, this process resolves the name to what was checked, on every thread."""
    import threading

    from evaluation.core.backends import public_only

    answers = iter(["93.184.215.14", "169.254.169.254"])

    def rebinding(host, port, type=0):
        return resolving_to(next(answers))(host, port, type)

    seen = []
    with public_only("http://rebind.invalid:8080/v1", resolve=rebinding):
        worker = threading.Thread(target=lambda: seen.append(socket.getaddrinfo("rebind.invalid", 8080)))
        worker.start()
        worker.join()
        seen.append(socket.getaddrinfo("REBIND.invalid", 8080, type=socket.SOCK_STREAM))
    assert {info[4][0] for found in seen for info in found} == {"93.184.215.14"}
    assert next(answers) == "169.254.169.254"  # the second answer was never asked for
    with pytest.raises(socket.gaierror):  # the pin is gone: the name resolves as before (it does not exist)
        socket.getaddrinfo("rebind.invalid", 8080)


def test_a_judge_on_an_outside_server_connects_only_to_what_was_checked(settings, monkeypatch):
    from evaluation.core import backends
    from evaluation.core.backends import Decoding, PublicOnlyBackend, Request

    settings.SERVING_ALLOW_PRIVATE = False
    checked = []

    class Recording:
        def generate(self, requests, decoding):
            checked.append(socket.getaddrinfo("judge.example.com", 443)[0][4][0])
            return ["verdict"]

    real = backends.refuse_internal_address
    monkeypatch.setattr(
        backends,
        "refuse_internal_address",
        lambda url, resolve=None, trusted_hosts=(): real(url, resolving_to("93.184.215.14"), trusted_hosts),
    )
    backend = PublicOnlyBackend(Recording(), "https://judge.example.com/v1")
    assert backend.generate([Request(prompt="x")], Decoding()) == ["verdict"]
    assert checked == ["93.184.215.14"]
    monkeypatch.setattr(
        backends,
        "refuse_internal_address",
        lambda url, resolve=None, trusted_hosts=(): real(url, resolving_to("10.0.0.7"), trusted_hosts),
    )
    with pytest.raises(BackendError, match="internal address 10.0.0.7"):
        backend.generate([Request(prompt="x")], Decoding())
    assert checked == ["93.184.215.14"]  # never connected
