"""The evaluation tests use the `trained` fixture from tests/conftest.py."""
