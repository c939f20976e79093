"""Do two examples ask the same thing? All layers together (plain Python + numpy).

A pair of prompts is the same request when any layer says so and no slot differs:
1. word level (prompt_comparison.same_prompt): equal after normalising, up to a typo or a filler
   word;
2. character level: several small edits at once (casing, spacing, typos, an added word), seen as
   a high character similarity of the folded texts;
3. meaning: a paraphrase or reordering, seen as a high cosine between sentence embeddings.
Layers 2 and 3 pass the slot guard (slots.py): another number, name, quoted text, negation,
comparison or direction makes another request, however alike the texts read, and so does one
content word swapped for another ("cats" / "dogs").

When an example has an input, the input is the part that tells prompts apart and the
instruction is shared by many: both parts must match, each on its own.
"""

import difflib
import re
from functools import lru_cache

from curation.core.answer_comparison import asked_otherwise, labels_its_input
from curation.core.checks import is_vague
from curation.core.prompt_comparison import is_typo, prompt_words, same_prompt
from curation.core.slots import (
    GENERIC_VERBS,
    SIGN_OFFS,
    added_name,
    content_words,
    filler_swap_content,
    fold,
    frame_swap,
    frame_swap_words,
    frame_words,
    number_key,
    other_literals,
    same_stem,
    slot_difference,
    slots_of,
    swapped_content,
)
from curation.core.text import WORD_RE, normalize, words
from curation.core.wordlists import COURTESY, FILLER

SAME_MEANING = 0.82  # cosine from which two prompts with the same slots ask the same thing
CANDIDATE = 0.72  # pairs at least this alike (or sharing a word-level key) are looked at
NEAR_WORDING = 0.86  # character similarity from which texts are the same wording with slips
STRONG_MEANING = 0.9  # a pair whose answers conflict must be at least this alike in meaning
REWORDED = 0.8  # character similarity under which two texts are worded apart (not one edited)


def main_and_side(record):
    """(the part that tells prompts apart, the part many share): (input, instruction), or
    (instruction, "") when there is no input; for a chat (turns, system prompt)."""
    context, query = record.request()
    if query.strip():
        return query, context
    return context, ""


# An opening that only asks to be told ("Could you tell me: is ...", "Quick question - ..."): no
# words of the request
ASKING_PREFIX_RE = re.compile(
    r"^\W*(?:(?:could|can|would|will) you (?:please )?(?:tell|let) me(?: know)?|i(?:'d| would) like to know"
    r"|i want to know|i was wondering|quick question|question)\b[\s:,.!?-]*"
)


def plain_text(text):
    """Folded words without punctuation or filler ("please", "thank you") or an opening that only
    asks to be told ("Could you tell me: ..."): what the wording similarity compares."""
    said = WORD_RE.findall(ASKING_PREFIX_RE.sub("", fold(text), count=1))
    if "advance" in said or any(w[:2] == "th" and 5 <= len(w) <= 8 for w in said):
        said = _thanks_left_out(said)
    return " ".join(w for w in said if w not in FILLER)


def _thanks_left_out(said):
    """Folded words without a thanks, mistyped too ("thhanks", "thnaks"), and the "in advance" or
    "so much" that follows one: a courtesy, as "thanks" is (FILLER)."""
    out = []
    k = 0
    while k < len(said):
        w = said[k]
        if w in ("thanks", "thank") or (w[:2] == "th" and 5 <= len(w) <= 8 and is_typo(w, "thanks")):
            k += 1
            if k < len(said) and said[k] == "you":
                k += 1
            if said[k : k + 2] in (["in", "advance"], ["so", "much"], ["a", "lot"]):
                k += 2
            continue
        out.append(w)
        k += 1
    return out


def wording_similarity(a, b, most=1500):
    """Character similarity of two texts after folding case, accents and spacing (0-1). Long
    texts are compared at their start and at their end (a shared handbook followed by another
    question is another request), the lower of the two counting."""
    return plain_similarity(plain_text(a), plain_text(b), most)


def plain_similarity(a, b, most=1500, exact_from=NEAR_WORDING):
    """wording_similarity of two texts already through plain_text. Under `exact_from` it may give
    an upper bound (difflib's quick ratio: the share of letters both hold, in any order), which
    is all a comparison with a threshold of at least `exact_from` needs."""
    if a == b:
        return 1.0
    if max(len(a), len(b)) > most:
        return min(_similarity(a[:most], b[:most], exact_from), _similarity(a[-most:], b[-most:], exact_from))
    return _similarity(a, b, exact_from)


def _similarity(a, b, exact_from):
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < exact_from or matcher.quick_ratio() < exact_from:
        return matcher.quick_ratio()
    return matcher.ratio()


def slot_text(record):
    """The text whose slots decide (the shared part, then the main part)."""
    main, side = main_and_side(record)
    return f"{side}\n{main}"


def prompt_number_key(record):
    """A stable 64-bit key of the numbers a record's prompt names (slots.number_key), which the
    scan's workers work out for every record: pairs with different keys are never compared."""
    return number_key(slot_text(record))


class PromptView:
    """What the comparison needs of one record, computed once (the scan compares each record
    with a dozen or more others)."""

    __slots__ = (
        "record",
        "_words",
        "_parts",
        "_slots",
        "_derived",
        "_hard",
        "_numbers",
        "_vague",
        "_said",
        "_side_names",
        "swapped",
    )

    def __init__(self, record):
        self.record = record
        self._words = self._parts = self._slots = self._derived = self._hard = self._numbers = self._vague = None
        self._said = self._side_names = None
        self.swapped = None  # clusters.swapped_view

    @property
    def asks_nothing(self):
        """True when the request is vague (checks.is_vague: "ok go", "Help"): an answer it shares
        with another example vouches for nothing (a vague copy of an example is not its rewording)."""
        if self._vague is None:
            record = self.record
            if record.is_chat:
                turns = [str(m["content"] or "") for m in record.messages if m["role"] == "user"]
                self._vague = is_vague(" ".join(turns))
            else:
                self._vague = is_vague(record.instruction, bool(record.input.strip()))
        return self._vague

    @property
    def words(self):
        if self._words is None:
            self._words = prompt_words(self.record)
        return self._words

    @property
    def parts(self):
        if self._parts is None:
            self._parts = main_and_side(self.record)
        return self._parts

    @property
    def slots(self):
        if self._slots is None:
            main, side = self.parts
            self._slots = slots_of(f"{side}\n{main}")
        return self._slots

    @property
    def said_slots(self):
        """The Slots of what the user says: of the main part for a chat (its turns), else slots."""
        if self._said is None:
            self._said = slots_of(self.parts[0]) if self.record.is_chat else self.slots
        return self._said

    @property
    def side_names(self):
        """The names the side part (a chat's system prompt, a shared instruction) says."""
        if self._side_names is None:
            self._side_names = slots_of(self.parts[1]).names
        return self._side_names

    @property
    def numbers(self):
        """prompt_number_key: different keys, and match() says no on every layer (another number
        is another request)."""
        if self._numbers is None:
            main, side = self.parts
            self._numbers = number_key(f"{side}\n{main}")
        return self._numbers

    @property
    def hard_slots(self):
        """A hash of the slots that must be equal for two prompts to ask the same thing outside
        the word level (numbers, comparisons; not quoted text, which one side may say unquoted):
        different hashes, and match() says no without looking further. Valid within one process."""
        if self._hard is None:
            slots = self.slots
            self._hard = hash((frozenset(slots.numbers.items()), slots.comparatives))
        return self._hard

    @property
    def derived(self):
        """(content words of the whole prompt, of the main part, the main part's frame words or
        None for several lines, plain_text of the main part, of the side part)."""
        if self._derived is None:
            main, side = self.parts
            self._derived = (
                set(content_words(f"{side}\n{main}")),
                set(content_words(main)),
                frame_words(main) if len(main.splitlines()) <= 1 else None,
                plain_text(main),
                plain_text(side),
            )
        return self._derived


@lru_cache(maxsize=32768)
def _content_set(text):
    """content_words as a set, kept for the texts a scan compares again and again (chat turns,
    shared instructions). Callers must not change it."""
    return frozenset(content_words(text))


MEANING_WORDS = 80  # a mean of more words than this says what a text is about, not what it asks


def _short(text):
    return len(text.split()) <= MEANING_WORDS


def match(
    a,
    b,
    main_cosine=None,
    side_cosine=None,
    same_meaning=SAME_MEANING,
    words_layer=True,
    anchored=False,
    answer_vouches=False,
    values_vouched=False,
    asked_opposite=frozenset(),
):
    """(same request?, how it was seen, layer) for two PromptViews; layer is "words",
    "wording" or "meaning".

    `main_cosine` is the embeddings' cosine of the two main parts (None without the semantic
    layer); `side_cosine()` gives that of the shared parts, asked only when needed. `anchored`:
    the two share one substantive answer, word for word, which vouches for one content word said
    otherwise ("foods that contain lactose" / "examples of food with lactose"); the slots still
    decide. `answer_vouches`: that answer is text or code (clusters.text_anchor), whose words are
    one request's own: comparisons then differ only when one is the other's opposite ("the most
    recent commit" / "the last commit"). A frame filled otherwise stays two requests even then:
    one explanation shared word for word by "this error from a script" and "... from a unit test"
    answers two questions alike. `values_vouched`: that answer is long and specific (a program of
    some length, an explanation): the numbers and quoted text the prompts name may differ, being
    examples of one thing ("accepts zip codes like 12345 and 12345-6789" / "a US ZIP code (5 digits
    with an optional -4 extension)"), since a request for other values gets another answer. Not
    when one prompt names as many numbers as the other, each in its place: a sibling of a template
    ("hired later than 2021" / "after 2020") is another request, whatever answer both were given;
    then only one term quoted two ways may differ ("'at-will employment'" / "a job 'at will'":
    quotes_of_one_term). values_vouched="record": a JSON record of specific values said word for
    word (clusters.specific_record) vouches for other numbers however many: two texts retelling
    one recipe name its facts, a sibling of a template gets another record. `asked_opposite`: the words of a pair that two yes-or-no questions say
    the other way round (answer_comparison.asked_the_other_way: "keep" / "lose"); their swap is
    one question asked the other way, not a frame filled otherwise."""
    numbers_vouched = values_vouched == "record" or (
        values_vouched and sum(a.slots.numbers.values()) != sum(b.slots.numbers.values())
    )
    values_vouched = values_vouched and (numbers_vouched or quotes_of_one_term(a.slots, b.slots))
    if a.numbers != b.numbers and not numbers_vouched:
        return False, "", ""  # another number, on every layer ("three" / "there" is no typo)
    if (other_literals(a.slots, b.slots) or _quoted_symbols(a) != _quoted_symbols(b)) and not values_vouched:
        return False, "", ""  # "DD/MM/YYYY" / "DD.MM.YYYY", "starts with '#'" / "'@'": read by no word
    if a.slots.units - b.slots.units and b.slots.units - a.slots.units:
        return False, "", ""  # "a $45 refund" / "a £45 refund": read by no word
    if words_layer:  # off for pairs the word-level index did not propose: it finds all of those
        same, detail = same_prompt(a.words, b.words)
        if same:
            return True, detail, "words"
    if a.asks_nothing or b.asks_nothing:
        return False, "", ""  # "hi" / "?": a vague request is the same as another only word for word
    if slot_difference(
        a.slots, b.slots, say=False, negation=False, opposites_only=answer_vouches, values=not values_vouched
    ):
        return False, "", ""
    negation = a.slots.negated != b.slots.negated  # decided below, by how alike the wording is
    (main_a, side_a), (main_b, side_b) = a.parts, b.parts
    if bool(side_a.strip()) != bool(side_b.strip()):
        return False, "", ""
    (content_a, main_content_a, frame_a, plain_a, plain_side_a) = a.derived
    (content_b, main_content_b, frame_b, plain_b, plain_side_b) = b.derived
    turns = differing_turns(a, b)
    if turns is not None:
        # two chats: the turns that differ hold what fills a frame otherwise; the turns both share
        # would make any rewording of one turn look like most words kept ("I was born in 2005. How
        # old will I turn ...?" / "Born 2005 - what age do I reach ...?" over the same follow-ups)
        main_content_a, main_content_b = _content_set(turns[0]), _content_set(turns[1])
    if (
        not anchored
        and (
            _other_than(swapped_content(content_a, content_b), asked_opposite)
            or filler_swap_content(main_content_a, main_content_b)
        )
    ) or _other_than(
        frame_swap_words(frame_a, frame_b)
        if frame_a is not None and frame_b is not None
        else frame_swap(main_a, main_b),
        asked_opposite,
    ):
        return False, "", ""
    if side_a.strip() and plain_side_a != plain_side_b and not _one_persona(a, b):
        # the shared part differs: it may not be one frame with other fillers either ("moved from
        # brokerage accounts" / "moved from credit card accounts" over one table schema)
        if frame_swap(side_a, side_b) or filler_swap_content(_content_set(side_a), _content_set(side_b)):
            return False, "", ""
        side_reworded = plain_similarity(plain_side_a, plain_side_b) < NEAR_WORDING
        if side_reworded and not (side_cosine is not None and side_cosine() >= same_meaning):
            return False, "", ""
    else:
        side_reworded = False
    if negation and _withheld_thing_named(a, b):
        return False, "", ""  # "food with caffeine" / "food free of caffeine": the opposite thing
    if negation:
        # a negation tells two requests apart when it is (nearly) all that differs; in a text
        # reworded throughout it is phrasing ("where is my refund?" / "the money is not back").
        # A shared answer vouches for more rewording: there only nearly the same words, a
        # negation apart, are two requests ("... I can't find it in the portal" / "Could you send ...")
        reworded = NEAR_WORDING if anchored else REWORDED
        if not (main_cosine is not None and plain_similarity(plain_a, plain_b, exact_from=reworded) < reworded):
            return False, "", ""
    if turns is not None:
        # two chats that share most turns: the turns that differ decide (the shared scaffold made
        # "... cheddar or almonds?" and "... oats or lentils?" read 95% alike)
        if plain_similarity(plain_text(turns[0]), plain_text(turns[1])) >= NEAR_WORDING:
            return True, "the same wording with small edits", "wording"
    elif plain_similarity(plain_a, plain_b) >= NEAR_WORDING:
        if side_reworded:  # one input under an instruction said in other words: their meaning decided
            return True, f"the same input, the instruction in other words ({side_cosine():.0%} alike)", "meaning"
        return True, "the same wording with small edits", "wording"
    if main_cosine is not None and main_cosine >= same_meaning and _short(main_a) and _short(main_b):
        return True, f"the same request in other words ({main_cosine:.0%} alike)", "meaning"
    return False, "", ""


def asked_slots(a, b):
    """The Slots of two PromptViews, of what their users say for two chats: a system prompt may
    word one persona otherwise, naming other things ("SIMs and roaming" / "phone plans")."""
    if a.record.is_chat and b.record.is_chat:
        return a.said_slots, b.said_slots
    return a.slots, b.slots


def _one_persona(a, b):
    """True when two chats' system prompts are one assistant's described otherwise: they name the
    same thing ("You are Brightline Mobile's support assistant ..." / "You help Brightline Mobile
    customers with ..."). A dataset often words its persona several ways; what the user asks
    decides then."""
    if not (a.record.is_chat and b.record.is_chat):
        return False
    return any(same_stem(x, y) for x in a.side_names for y in b.side_names)


def _other_than(swap, asked_opposite):
    """The swap (a pair of words, or None) unless both its words are the opposites asked."""
    return None if swap and set(swap) <= asked_opposite else swap


def quotes_of_one_term(a, b):
    """True when two Slots quote other texts that each share a word with one of the other's: one
    term quoted two ways ("'at-will employment'" / "'at will'"), not two terms ("'KeyError:
    'user_id''" / "'ZeroDivisionError: division by zero'")."""
    only_a, only_b = a.quoted - b.quoted, b.quoted - a.quoted
    if not (only_a and only_b):
        return False
    words_a = [set(re.findall(r"[^\W_]{3,}", q)) for q in only_a]
    words_b = [set(re.findall(r"[^\W_]{3,}", q)) for q in only_b]
    return all(any(x & y for y in words_b) for x in words_a) and all(any(y & x for x in words_a) for y in words_b)


# A thing asked to be absent: "without sugar", "free of caffeine", "gluten-free", "eggless" (not "no": "I got
# no refund" / "where is my refund?" ask one thing)
WITHHELD_RE = re.compile(
    r"\b(?:without|free\s+(?:of|from)|zero|non)[\s-]+(?:any\s+|the\s+|a\s+|an\s+)?([^\W\d_]{3,})"
    r"|\b([^\W\d_]{3,})-?(?:free|less)\b"
)


def _withheld(text):
    return {m.group(1) or m.group(2) for m in WITHHELD_RE.finditer(text)}


def _withheld_thing_named(a, b):
    """True when one prompt asks for a thing to be absent that the other names without that:
    "5 examples of food with caffeine" / "5 things to eat that are free of caffeine" ask for
    opposite things, however otherwise reworded (a verb's negation in a reworded text is phrasing:
    "where is my refund?" / "the money is not back")."""
    text_a, text_b = (fold(f"{side}\n{main}") for main, side in (a.parts, b.parts))
    for withheld, other in ((_withheld(text_a), text_b), (_withheld(text_b), text_a)):
        held_there = _withheld(other)
        for thing in withheld - held_there:
            said = [w for w in words(other) if same_stem(w, thing) and not w.endswith(("less", "free"))]
            if said and not any(same_stem(w, thing) for w in held_there):
                return True
    return False


def _quoted_symbols(view):
    """The quoted texts of a prompt made of symbols only ("'#'", "`->`"), which no word says."""
    return frozenset(q for q in view.slots.quoted if q and not any(c.isalnum() for c in q))


def edit_vouched_match(a, b, main_cosine, same_meaning, anchored_meaning, answer_a, answer_b):
    """match() for two PromptViews whose answers are one answer edited (the caller asks
    edited_answer): such answers vouch as a shared answer does, from the anchored meaning. From
    the base meaning they also vouch for a content word each prompt says in its own way ("how many
    days pass between" / "count the days separating"), when neither answer says either word: the
    answers of a template's siblings say what fills it ("Water boils at 100 °C" / "Water freezes
    at 0 °C")."""
    if main_cosine < same_meaning:
        return match(a, b, main_cosine, None, same_meaning=anchored_meaning, words_layer=False)
    matched = match(a, b, main_cosine, None, same_meaning=same_meaning, words_layer=False, anchored=True)
    if matched[0]:
        own = a.derived[0] ^ b.derived[0]
        if own & (_content_set(answer_a) | _content_set(answer_b)):
            return False, "", ""
    return matched


def may_contradict(layer, main_cosine, a=None, b=None, answers_edited=None, negating_edit=None):
    """Can a pair that `match` found by `layer` be reported with answers that disagree? Answers
    that disagree are evidence that the prompts differ too, so a pair seen only by its meaning
    needs prompts that are very alike (STRONG_MEANING) before it counts as a contradiction,
    unless its answers are one answer with a small edit (`answers_edited()`, asked only then:
    "to_plan": "Enterprise" / "Starter" in otherwise equal JSON says both prompts asked for the
    same record); else it counts only when the answers agree (a duplicate). So does a pair where
    one prompt asks for more than the other (refines, given the PromptViews a and b), and one
    where only one side is negated, unless the answers are one value apart and that value is no yes
    or no (`negating_edit()`: "= 'cancelled'" / "<> 'cancelled'" follows the negation). The scan and
    the on-save check both ask this."""
    if layer == "meaning" and labelled_apart(a, b):
        return False
    edited = None
    if layer == "meaning" and main_cosine < STRONG_MEANING:
        edited = bool(answers_edited and answers_edited())
        if not edited:
            return False
    if a is None or b is None or layer == "words":
        return True
    return not other_intent(
        a,
        b,
        one_word=layer == "wording" and _says_more_than_a_value(a.record) and _says_more_than_a_value(b.record),
        answers_edited=lambda: (
            bool(edited if edited is not None else (answers_edited and answers_edited()))
            and not (negating_edit and negating_edit())
        ),
    )


def labelled_apart(a, b):
    """True for two PromptViews whose answers label two inputs that differ (labels_its_input): two
    texts that read alike in meaning ("The screen is great but the speakers are weak." / "... and
    the speakers are too.") are two texts to label, whose labels may fairly differ; only inputs
    a few slips apart (the wording layer) are one text labelled twice."""
    if a is None or b is None:
        return False
    ra, rb = a.record, b.record
    if normalize(ra.input) == normalize(rb.input) or not (labels_its_input(ra) and labels_its_input(rb)):
        return False
    # one text edited in a place or two ("arrived" / "did not arrive", "but ... weak" / "and ...
    # too") keeps most of its words in order: a text said otherwise throughout (a ticket reworded)
    # is one text, and labels that differ there disagree
    wa, wb = words(ra.input), words(rb.input)
    kept = sum(block.size for block in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_matching_blocks())
    return kept >= EDITED_TEXT_KEPT * min(len(wa), len(wb))


EDITED_TEXT_KEPT = 0.6  # of the shorter text's words, kept in order by a text edited to say something else


def _says_more_than_a_value(record):
    """A record (not a chat of several questions) whose answer is more than one short value: "the capital city of
    Australia" / "the capital of Australia" answered "Canberra" / "Sydney" disagree on one request,
    while a program or a worked sum that differs answers what the added word asks."""
    # a chat of one question counts as one (its later turns would add words as they go)
    one_question = not record.is_chat or sum(m["role"] == "user" for m in record.messages) == 1
    return one_question and len(words(record.answer())) > 4  # words, not spaces: code says many


def other_intent(a, b, answers_edited=False, one_word=False):
    """True when two prompts that match() let through may still ask different things, so that
    answers that disagree are no contradiction: one asks for more (refines, or names something the
    other does not: "a Nobel Prize" / "the Nobel Peace Prize"), or only one is
    negated (match() let it through as rewording; answers that disagree say it was not), unless
    the answers are one answer with one value replaced (`answers_edited`, a bool or a function
    asked only then): "... the money is not back" / "Where is my refund?" with the same order
    and days in both answers is one request reworded, the negation its phrasing; so are the
    words one prompt adds ("Walk me through it.", "Sorry to bother you,") when the answers
    differ in one value and add nothing (a prompt that asks for more gets an answer that does
    more: next(reader) to skip a header)."""
    # `one_word`: for prompts matched by their wording (small edits), one content word added is
    # enough: answers that disagree say it asks for more ("the index of the largest int" / "the
    # largest int", "the first 10 even integers" / "... integers"). Prompts reworded throughout
    # add words as they go ("the word 'xylophone'"), and need two.
    # One prompt that is the other with words added and nothing else changed asks for more by one
    # content word too ("Should I pay the rent?" / "Should I pay the rent in advance?")
    # (answers that name one value each disagree on one request: "the capital city of Australia" /
    # "the capital of Australia" answered "Canberra" / "Sydney")
    if asked_otherwise(a.record, b.record):
        return True  # "Is there a minibar?" / "Is the minibar free?" ask two things
    one_word = one_word or (
        _only_added(a.derived[3], b.derived[3])
        and _says_more_than_a_value(a.record)
        and _says_more_than_a_value(b.record)
    )
    slots_a, slots_b = asked_slots(a, b)
    refined = refines(a, b, 1 if one_word else REFINING_WORDS, LIGHT_WORDS) or added_name(slots_a, slots_b)
    negated = slots_a.negated != slots_b.negated
    if not (refined or negated):
        return False
    return not (answers_edited() if callable(answers_edited) else answers_edited)


def _only_added(plain_a, plain_b):
    """True when one plain text is the other with words added and none replaced or removed."""
    wa, wb = plain_a.split(), plain_b.split()
    if len(wa) == len(wb):
        return False
    shorter, longer = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    ops = difflib.SequenceMatcher(None, shorter, longer, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in ops)


def differing_turns(a, b):
    """For two chats (PromptViews) with as many lines, the lines that differ, joined, one text
    per chat; None for anything else (or chats that do not differ)."""
    if not (a.record.is_chat and b.record.is_chat):
        return None
    lines_a, lines_b = a.parts[0].splitlines(), b.parts[0].splitlines()
    if len(lines_a) != len(lines_b) or len(lines_a) < 2:
        return None
    differ = [(x, y) for x, y in zip(lines_a, lines_b) if x != y]
    if not differ:
        return None
    return "\n".join(x for x, _ in differ), "\n".join(y for _, y in differ)


# "If something measures 8 metres, ...": a pronoun that stands for what is asked about asks no more
# (content_words' light stems)
INDEFINITE = frozenset("someth someone somebody anyth anyone anybody".split())
REFINING_WORDS = 2  # content words one prompt adds to the other's that make it ask for more
# words that add no request of their own, when one is all a prompt adds ("pay using PayPal" / "pay
# with PayPal", "asks whether" / "asks if", "how many products does it contain" / "... have")
LIGHT_WORDS = (
    GENERIC_VERBS
    | frozenset("using used whether contain contains containing include includes including do does make makes".split())
    | SIGN_OFFS
    # asking leave is asking whether one can: "Am I allowed to take ...?" / "Can I take ...?"
    | frozenset("am allowed permitted possible able okay ok".split())
    | frozenset("taking using getting having needing wanting putting requiring coming".split())
    # "In what year did ...?" asks what "When did ...?" asks
    | frozenset(["year"])
)
LIGHT_WORDS = LIGHT_WORDS | frozenset(w for word in LIGHT_WORDS for w in content_words(f"- {word}"))  # stemmed


def refines(a, b, least=REFINING_WORDS, light=frozenset()):
    """True when one prompt asks what the other asks and more: it holds all of the other's content
    words (spelling slips and other forms of a word aside) and REFINING_WORDS or more of its own,
    courtesy aside ("count the rows of x.csv" / "... of x.csv (skip the header line)")."""
    # two chats by what their users say: a system prompt worded otherwise asks nothing more
    at = 1 if a.record.is_chat and b.record.is_chat else 0
    ca, cb = (
        a.derived[at] - COURTESY - FILLER - INDEFINITE - light,
        b.derived[at] - COURTESY - FILLER - INDEFINITE - light,
    )
    only_a = [x for x in ca - cb if not any(is_typo(x, y) or same_stem(x, y) for y in cb - ca)]
    only_b = [y for y in cb - ca if not any(is_typo(x, y) or same_stem(x, y) for x in ca - cb)]
    return (len(only_a) >= least and not only_b) or (len(only_b) >= least and not only_a)
