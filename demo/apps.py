from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The seeded demo project. It is the top of the house: seeding writes through every layer
    (projects, examples and checks, the base model, a frozen version), so it may import them all,
    and nothing imports it."""

    name = "demo"
