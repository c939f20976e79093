import pytest

from curation.core.pii import find_phones, find_pii


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("Write to jane.doe@example.com today", ["email"]),
        ("Call me on (415) 555-2671 tomorrow", ["phone"]),
        ("ring +44 20 7946 0958", ["phone"]),
        ("my mobile is 4155552671", ["phone"]),
        ("card 4111 1111 1111 1111, exp 12/27", ["card"]),
        ("paid with 5500-0000-0000-0004", ["card"]),
        ("IBAN DE89 3704 0044 0532 0130 00 please", ["iban"]),
        ("Überweisung an GB82WEST12345698765432", ["iban"]),
        ("Card number: 4111 1111 1111 1111", ["card"]),
        ("Phone number: +1 415-555-2671", ["phone"]),
        ("Mobile number: 07700 900123", ["phone"]),
        ("Llámame al 612 34 56 78", ["phone"]),
    ],
)
def test_personal_data_is_found(text, kinds):
    assert [m.kind for m in find_pii(text)] == kinds


@pytest.mark.parametrize(
    "text",
    [
        "Order #4155552671 has not arrived",
        "order number 4111111111111111",  # Luhn-valid, but an order number
        "Ticket 48213 was closed",
        "tracking 1Z999AA10123456784",
        "invoice INV-2024-000123 for $149.99",
        "version 1.2.3.4 released 2024-01-15",
        "The meeting is at 10:30 in room 4.12",
        "4111 1111 1111 1112 is not a card (bad checksum)",
        "DE89 3704 0044 0532 0130 01 has a bad check digit",
        "email me at the usual address",
        "numéro de commande 06 12 34 56 78",
    ],
)
def test_ordinary_identifiers_and_numbers_are_not_personal_data(text):
    assert find_pii(text) == ()


def test_masking_does_not_repeat_the_secret():
    (match,) = find_pii("card 4111 1111 1111 1111")
    assert match.masked() == "…11"


def test_a_sum_is_not_a_phone_number():
    assert find_phones("I earn 5800 a month; 1800 - 600 - 450 = 750 is left") == []
    assert find_phones("Total: 2000 - 1200 - 300 left over") == []
    assert [p.text for p in find_phones("Call me at +44 20 7946 0958 tomorrow")] == ["+44 20 7946 0958"]
