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


@pytest.mark.parametrize(
    "text, found",
    [
        ("Reach us on +44 7700 900123", "+44 7700 900123"),  # Ofcom's drama range: no operator's
        ('{"callback_number": "+44 7700 900461"}', "+44 7700 900461"),
        ("call 555-0134 after six", "555-0134"),  # a US fictional number, named as one to call
        ("phone: +44 (0) 7700 900461", "+44 (0) 7700 900461"),  # once, whole
        ("+61 491 570 156", "+61 491 570 156"),
    ],
)
def test_numbers_no_operator_has_given_out_are_still_phone_numbers(text, found):
    """Made-up and masked data use the ranges kept for fiction, which phonenumbers calls invalid;
    written as a phone, they are personal data all the same."""
    assert [p.text for p in find_phones(text)] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "Order 555-0134 shipped on Monday",
        "Invoice #+44 7700 900123",
        "The score moved by +12 34 to 56",
        "We sold 1200 units between 2019 and 2024",
        "Call the function with +3 and 45",
        "The call returned 404 after 3000000 ms",
        "Phone sales grew to 45000000 units",
        "SMS volume was 12345678",
        '{"cells": 16777216, "contact_count": 1500000}',
        "Score +918 273 645 points",
        "Version +20240115.1",
    ],
)
def test_the_lenient_pass_leaves_other_numbers_alone(text):
    assert find_phones(text) == []


def test_an_iban_is_found_by_its_checksum_without_the_banks_own_check_digits():
    """ES14 6551 2172 6762 0805 4703 passes ISO 13616's checksum but not Spain's account check
    digits: still an account number written down."""
    assert [m.kind for m in find_pii("tips go to ES14 6551 2172 6762 0805 4703.")] == ["iban"]
    assert find_pii("tips go to ES15 6551 2172 6762 0805 4703.") == ()  # the checksum fails


def test_dates_beside_a_phone_number_neither_hide_it_nor_count_as_one():
    assert find_phones("Shipped 2024-01-15, due 2024-02; call (415) 555-2671 if late")[0].text == "(415) 555-2671"
    assert find_phones("Between 2024-01-15 and 2024-03-31, from 2023-12 on") == []
    assert [m.kind for m in find_pii("On 2024-05-02 she wrote: mobile 07700 900123")] == ["phone"]
