"""Word lists the duplicate and contradiction checks share: words that do not change what is
asked, words that can stand in for one another, negations (in the languages the studio sees most)
and stopwords (for comparing content)."""

FILLER = frozenset(
    "a an the please kindly just so very really quick quickly simply also here there now hi hello hey thanks thank you ok okay".split()
)
# Words that can stand in for one another without changing what is asked ("How do I reset my
# password?" / "How can I reset the password?").
INTERCHANGEABLE = FILLER | frozenset("do does can could would will this that my your our their its".split())
NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot can't won't don't doesn't didn't isn't aren't wasn't weren't shouldn't wouldn't couldn't without "
    "nicht kein keine keinen nie niemals ohne pas ne jamais aucun aucune sans non nunca nada ningún ninguna sin mai nessun senza niet geen nooit zonder "
    "nie żaden bez не нет никогда без "
    # the same without their apostrophe, as people type them
    "dont doesnt didnt isnt arent wasnt werent havent hasnt hadnt wouldnt shouldnt couldnt cant wont mustnt neednt aint".split()
)
STOPWORDS = frozenset(
    """a an the and or but if then of to in on at by for with from as is are was were be been being it its this that these those
    i you he she we they me him her us them my your his our their do does did have has had will would can could should may might
    must shall not no so than too very just about into over under up down out off again further once here there when where why how
    all any both each few more most other some such only own same what which who whom""".split()
)
# Verbs a request opens with that paraphrases trade freely ("Name the capital ..." / "Which city
# is the capital ..."); verbs that define a task (summarize, translate, classify) are not here.
REQUEST_VERBS = frozenset(
    """name list show give find tell define explain calculate compute count get return display provide print
    output fetch retrieve determine identify state work figure say translate convert""".split()
)
# Words of greetings and sign-offs: a message that adds "Good morning" or "Kind regards" asks
# nothing more.
COURTESY = frozenset(
    "good morning afternoon evening day dear team support folks there regards kind best cheers many thanks thx ty "
    "sincerely warm wishes greetings question advance sorry bother appreciate appreciated hope well help".split()
)

# Short and long names of one thing, folded, to the one each is read as ("JS" / "JavaScript"): not
# another name, not another word.
NAME_ALIASES = {
    "js": "javascript",
    "ts": "typescript",
    "py": "python",
    "python3": "python",
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "mongo": "mongodb",
    "yml": "yaml",
    "jpeg": "jpg",
    "usa": "us",
    # a country and the word for its people name one thing ("which US president" / "which American
    # president", "Spanish wine" / "wine from Spain")
    "america": "us",
    "american": "us",
    "americans": "us",
    **{
        demonym: country
        for country, demonyms in {
            "uk": "british britain brit",
            "germany": "german germans",
            "france": "french",
            "italy": "italian italians",
            "spain": "spanish",
            "japan": "japanese",
            "china": "chinese",
            "canada": "canadian canadians",
            "mexico": "mexican mexicans",
            "australia": "australian australians",
            "india": "indian indians",
            "russia": "russian russians",
            "brazil": "brazilian brazilians",
            "netherlands": "dutch",
            "switzerland": "swiss",
            "sweden": "swedish swede swedes",
            "ireland": "irish",
            "greece": "greek greeks",
            "turkey": "turkish",
            "egypt": "egyptian egyptians",
            "portugal": "portuguese",
            "poland": "polish",
            "norway": "norwegian norwegians",
            "denmark": "danish",
            "finland": "finnish",
            "europe": "european europeans",
            "korea": "korean koreans",
            "vietnam": "vietnamese",
            "thailand": "thai",
            "argentina": "argentine argentinian",
            "nigeria": "nigerian",
            "kenya": "kenyan",
            "israel": "israeli",
            "iran": "iranian",
            "pakistan": "pakistani",
        }.items()
        for demonym in demonyms.split()
    },
}
