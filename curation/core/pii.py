"""Personal data in text: e-mail addresses, phone numbers, payment card numbers, IBANs.

Kept libraries do the validation (phonenumbers for phones, python-stdnum for Luhn and IBAN);
fast regular expressions only pick the candidates, so clean text costs almost nothing.
Ordinary identifiers (order, ticket or invoice numbers) are not personal data and are left alone.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# Digit runs with optional separators, long enough to be a phone, card or IBAN digits.
DIGITS_RE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
# ISO dates and year-months ("2024-01-15", "2024-03") are the digit runs data holds most; no phone
# number is one, so they are blanked before asking whether a text has a run worth the phone parser.
ISO_DATE_RE = re.compile(r"(?<![\d+.-])\d{4}-\d{2}(?:-\d{2})?(?![\d-])(?!\.\d)")
CARD_RE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
IDENTIFIER_CONTEXT_RE = re.compile(
    r"(?:#|\b(?:order|ticket|invoice|ref(?:erence)?|tracking|case|item|sku|id|no\.?|number|account|po|"
    r"commande|facture|bestellung|bestellnummer|rechnung|pedido|factura|ordine|fattura|numéro|nummer|número|numero)\b)[\s:#.°-]*$",
    re.IGNORECASE,
)
# "Card number: 4111 …", "Mobile no.: 0151 …": personal data even though "number" precedes it.
PERSONAL_CONTEXT_RE = re.compile(
    r"\b(?:card|credit|debit|visa|mastercard|amex|phone|mobile|cell|tel|telephone|contact|call|whatsapp|fax|handy|teléfono|telefono|téléphone|portable|móvil)\b[\w\s.:#-]{0,16}$",
    re.IGNORECASE,
)
PHONE_CONTEXT_RE = re.compile(
    r"\b(?:call|phone|tel|telephone|mobile|cell|whatsapp|sms|text me|fax|reach me|llámame|llamame|appelez|anrufen|handy|teléfono|telefono)\b",
    re.IGNORECASE,
)
FICTIONAL_RE = re.compile(r"447700900\d{3}|442079460\d{3}|1\d{3}55501\d\d|155501\d\d|61491570\d{3}")
FICTIONAL_HINT_RE = re.compile(r"7700|7946|555|491\s?570")
DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "ES", "IN")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # email, phone, card, iban
    text: str
    start: int

    def masked(self):
        keep = self.text[-2:] if self.kind != "email" else self.text.split("@")[-1]
        return f"…{keep}" if self.kind != "email" else f"…@{keep}"


GLUED_RE = re.compile(r"[A-Za-z0-9][-/_#]?$")


def _is_identifier(text, start):
    """Digits named as an order/ticket/… number, or glued to letters (INV-2024-000123), unless
    the words before them say card or phone."""
    before = text[max(0, start - 32) : start]
    if PERSONAL_CONTEXT_RE.search(before):
        return False
    return bool(IDENTIFIER_CONTEXT_RE.search(before[-24:]) or GLUED_RE.search(before))


def find_emails(text):
    return [PiiMatch("email", m.group(), m.start()) for m in EMAIL_RE.finditer(text)]


def find_cards(text):
    from stdnum import luhn

    found = []
    for m in CARD_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        # Issuer prefixes of the major networks, then the Luhn checksum.
        if not (13 <= len(digits) <= 19 and digits[0] in "3456" and luhn.is_valid(digits)):
            continue
        if _is_identifier(text, m.start()):
            continue
        found.append(PiiMatch("card", m.group(), m.start()))
    return found


def find_ibans(text):
    return [PiiMatch("iban", m.group(), m.start()) for m in IBAN_RE.finditer(text) if _is_iban(m.group())]


def _is_iban(text):
    """ISO 13616's checksum and the country's account layout. A bank's own check digits inside the
    account number (Spain's, France's, ...) are not asked for: a made-up or mistyped account
    number that passes the checksum is still written as someone's bank account."""
    from stdnum import iban
    from stdnum.exceptions import ValidationError

    try:
        iban.validate(text, check_country=False)
    except ValidationError:
        return False
    return True


SPACED_OPERATOR_RE = re.compile(r"\s[-+*/×÷]\s")  # "1800 - 600": arithmetic, not a formatted number
RESULT_RE = re.compile(r"\s*[=×÷*/]")


def _may_hold_phone(text):
    """A run of 7+ digits (with separators) that is not a date: the parser below costs about 0.2 ms
    a text and region, most of a dataset's check when its texts are full of dates or sums."""
    blanked = ISO_DATE_RE.sub(" ", text)
    return any(
        sum(c.isdigit() for c in piece) >= 7
        for m in DIGITS_RE.finditer(blanked)
        for piece in SPACED_OPERATOR_RE.split(m.group())  # "(1800 - 600 - 450": three numbers in a sum
    )


def find_phones(text, regions=DEFAULT_REGIONS):
    if not _may_hold_phone(text):
        return []
    import phonenumbers

    found = {}
    # The second pass: numbers no operator gives out, kept for films, examples and made-up data
    # (the UK's 07700 900xxx and 020 7946 0xxx, North America's 555-01xx, Australia's 0491 570xxx).
    # phonenumbers calls them invalid, yet written as a phone they are one to a reader.
    lenient = FICTIONAL_HINT_RE.search(text)
    for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE)[: 2 if lenient else 1]:
        for region in regions:
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                overlapping = [(a, b) for a, b in found if a < m.end and m.start < b]
                if any(b - a >= m.end - m.start for a, b in overlapping):
                    continue  # one number read twice ("+44 (0) 7700 900461", "(0) 7700 900461"): the longer
                raw = m.raw_string
                near_word = PHONE_CONTEXT_RE.search(text[max(0, m.start - 30) : m.start])
                formatted = raw.startswith("+") or any(c in raw for c in " ()-.")
                if leniency == phonenumbers.Leniency.POSSIBLE:
                    number = f"{m.number.country_code}{m.number.national_number}"
                    if not FICTIONAL_RE.fullmatch(number):
                        continue
                if _is_identifier(text, m.start) or not (formatted or near_word):
                    continue
                if SPACED_OPERATOR_RE.search(raw) or RESULT_RE.match(text[m.end : m.end + 4]):
                    continue  # a sum ("1800 - 600 - 450 = 750"), not a number to call
                for span in overlapping:
                    del found[span]
                found[(m.start, m.end)] = PiiMatch("phone", raw, m.start)
    return sorted(found.values(), key=lambda p: p.start)


DIGIT_RE = re.compile(r"\d")
IBAN_HINT_RE = re.compile(r"[A-Z]{2}\d{2}")


@lru_cache(maxsize=8192)  # instructions are shared by many examples
def find_pii(text):
    """Every piece of personal data in text, cards before phones where both read the digits."""
    if not text:
        return []
    matches = find_emails(text) if "@" in text else []
    if IBAN_HINT_RE.search(text):
        matches += find_ibans(text)
    if DIGIT_RE.search(text):
        cards = find_cards(text)
        card_spans = [(c.start, c.start + len(c.text)) for c in cards]
        ibans = [(i.start, i.start + len(i.text)) for i in matches if i.kind == "iban"]
        taken = card_spans + ibans
        phones = [p for p in find_phones(text) if not any(a <= p.start < b for a, b in taken)]
        matches += cards + phones
    return tuple(sorted(matches, key=lambda p: p.start))
