"""What a row of the example list shows (curation/listing.py, plain Python)."""

import pytest

from curation.listing import PREVIEW_CHARS, add_previews, clip, fold
from curation.models import Example


def test_clip_keeps_short_text_and_cuts_long_text_with_an_ellipsis():
    assert clip("Refund the order.", 140) == "Refund the order."
    assert clip("x" * 140, 140) == "x" * 140
    cut = clip("Mañana " * 40, 140)
    assert len(cut) == 140 and cut.endswith("…") and cut.startswith("Mañana Mañana")
    assert clip(None, 10) == "" and clip("", 10) == ""


def test_rows_preview_the_first_user_turn_the_input_or_the_instruction():
    chat = Example(
        id=1,
        messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Where is my parcel?"}],
    )
    with_input = Example(id=2, instruction="Triage the ticket. " * 10, input="My parcel is late. " * 20)
    plain = Example(id=3, instruction="Name three colours.")
    add_previews([chat, with_input, plain])
    assert (chat.preview, chat.note) == ("Where is my parcel?", "")
    assert len(with_input.preview) == PREVIEW_CHARS and with_input.preview.startswith("My parcel is late.")
    assert with_input.note.startswith("Triage the ticket.") and len(with_input.note) == 80
    assert (plain.preview, plain.note) == ("Name three colours.", "")


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Chloé", "CHLOE"),
        ("ZOË", "ZOE"),
        ("Müllerstraße", "MULLERSTRASSE"),
        ("Ærø, Łódź, Œuvre", "AERO, LODZ, OEUVRE"),
        ("naïve café", "NAIVE CAFE"),
        ("ﬁle", "FILE"),  # a ligature is two letters
        ("日本語", "日本語"),  # other scripts stay as they are
        ("", ""),
        (None, None),
    ],
)
def test_fold_drops_case_and_accents_but_keeps_other_letters(text, folded):
    assert fold(text) == folded
