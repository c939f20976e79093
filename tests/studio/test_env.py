import pytest

from studio.env import envbool, envint, envlist, envstr


def test_envbool_reads_common_spellings(monkeypatch):
    for raw, expected in [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("OFF", False),
    ]:
        monkeypatch.setenv("FLAG", raw)
        assert envbool("FLAG") is expected
    monkeypatch.delenv("FLAG")
    assert envbool("FLAG", default=True) is True


def test_envbool_names_the_variable_when_the_value_is_nonsense(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ValueError, match="DEBUG='maybe'"):
        envbool("DEBUG")


def test_envint_and_its_error(monkeypatch):
    monkeypatch.setenv("N", "42")
    assert envint("N", 1) == 42
    monkeypatch.setenv("N", "forty")
    with pytest.raises(ValueError, match="N='forty': expected a whole number"):
        envint("N", 1)


def test_envstr_reads_a_secret_from_its_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("SECRET_KEY", "ignored")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert envstr("SECRET_KEY") == "s3cret"


def test_envlist_splits_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "studio.example.org, ,10.0.0.5")
    assert envlist("ALLOWED_HOSTS") == ["studio.example.org", "10.0.0.5"]
