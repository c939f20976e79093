"""Repeated wrong passwords pause sign-in for that username from that address (django-axes)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_until_the_cool_off_has_passed(client, people):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "lena", "wrong")
        assert response.status_code == 200 and b"Please enter a correct username and password" in response.content
    locked = sign_in(client, "lena", "wrong")
    assert locked.status_code == 429
    assert "Too many wrong passwords for “lena”" in locked.content.decode()
    assert f"paused for {settings.AXES_COOLOFF_MINUTES} minutes" in locked.content.decode()

    # the right password is refused too while the pause lasts
    refused = sign_in(client, "lena", "pw-lena")
    assert refused.status_code == 429 and "Sign-in paused" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # another user from the same address is not affected
    assert sign_in(client, "rosa", "pw-rosa").status_code == 302
    client.logout()

    # once the cool-off has passed, the right password works again
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(days=1))
    assert sign_in(client, "lena", "pw-lena").status_code == 302
    assert int(client.session["_auth_user_id"]) == people.lead.id


def test_an_admin_reset_unlocks_at_once(client, people):
    from axes.utils import reset

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "arjun", "wrong")
    assert sign_in(client, "arjun", "pw-arjun").status_code == 429
    reset(username="arjun")
    assert sign_in(client, "arjun", "pw-arjun").status_code == 302


def test_force_login_is_not_watched(as_user, people):
    assert as_user(people.lead).get(reverse("studio:project-list")).status_code == 200


BEHIND_PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the reverse proxy


def test_behind_a_proxy_one_persons_wrong_passwords_do_not_lock_out_everyone(client, people, settings):
    settings.TRUSTED_PROXIES = 1
    attacker = {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lena", "password": "wrong"}, **attacker)
    assert client.post(reverse("login"), {"username": "lena", "password": "pw-lena"}, **attacker).status_code == 429
    # a claimed address to the left of what the proxy saw changes nothing
    spoofed = {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    assert client.post(reverse("login"), {"username": "lena", "password": "pw-lena"}, **spoofed).status_code == 429
    # Lena herself, at her own address behind the same proxy, signs in
    lena = {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.post(reverse("login"), {"username": "lena", "password": "pw-lena"}, **lena).status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, people, settings):
    settings.TRUSTED_PROXIES = 0
    for n in range(settings.AXES_FAILURE_LIMIT):  # a new claimed address each time: still one address
        client.post(
            reverse("login"),
            {"username": "lena", "password": "wrong"},
            **BEHIND_PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    fresh = {**BEHIND_PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert client.post(reverse("login"), {"username": "lena", "password": "pw-lena"}, **fresh).status_code == 429
