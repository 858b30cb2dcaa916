"""Suggested questions for the dialogue meeting, per social-capital dimension (pure data).

Drawn from the foundation's values — "Værdierne om tillid, retfærdighed og samarbejde er
afgørende i forhold til den måde, vi løser kerneopgaven på" — and its definition of good
leadership (listening, seeking to understand, asking for advice, a strong feedback and
improvement culture). Three questions per dimension of the shipped social-capital
instrument (kerne/surveys/data/social_capital.yaml: value × bonding/bridging/linking), in
Danish with an English translation. A dimension Kerne does not know (an imported
instrument) gets the questions of its value when its key names one, else general ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation


@dataclass(frozen=True)
class Question:
    da: str
    en: str

    def text(self, language: str | None = None) -> str:
        lang = (language or translation.get_language() or "da")[:2]
        return self.en if lang == "en" and self.en else self.da


Q = Question

QUESTIONS: dict[str, tuple[Question, Question, Question]] = {
    "trust-bonding": (
        Q(
            "Hvad skal der til, for at vi trygt kan sige vores mening her i enheden?",
            "What would it take for us to speak our minds safely here in the unit?",
        ),
        Q(
            "Hvornår har du sidst oplevet, at du kunne stole på en kollega – hvad gjorde forskellen?",
            "When did you last feel you could rely on a colleague – what made the difference?",
        ),
        Q(
            "Hvordan taler vi om hinanden, når vi ikke er i samme rum, og hvad vil vi gøre anderledes?",
            "How do we talk about each other when we are not in the same room, "
            "and what will we do differently?",
        ),
    ),
    "trust-bridging": (
        Q(
            "Hvilke andre enheder er vi mest afhængige af for at løse kerneopgaven, og stoler vi på dem?",
            "Which other units do we depend on most to solve the core task, and do we trust them?",
        ),
        Q(
            "Hvad kan vi selv gøre for, at aftaler på tværs bliver holdt?",
            "What can we do ourselves so that agreements across units are kept?",
        ),
        Q(
            "Hvilken information mangler vi fra andre – og hvilken mangler de fra os?",
            "What information do we lack from others – and what do they lack from us?",
        ),
    ),
    "trust-linking": (
        Q(
            "Hvad skal jeg som leder gøre mere af eller mindre af, for at I kan have tillid til mig?",
            "What should I as your leader do more or less of, so that you can trust me?",
        ),
        Q(
            "Hvornår har en beslutning fra ledelsen virket uforståelig – hvad manglede I at vide?",
            "When did a decision from the management seem hard to understand – what did you need to know?",
        ),
        Q(
            "Hvordan kan vi få det frem, der bliver holdt tilbage, så det kan bruges?",
            "How can we bring out what is being held back, so that it can be used?",
        ),
    ),
    "justice-bonding": (
        Q(
            "Oplever vi, at opgaverne er fordelt retfærdigt – hvad ser vi forskelligt?",
            "Do we feel the tasks are shared fairly – where do we see it differently?",
        ),
        Q(
            "Hvordan anerkender vi hinandens indsats i hverdagen, og hvem bliver overset?",
            "How do we recognise each other's efforts day to day, and who gets overlooked?",
        ),
        Q(
            "Hvad ville gøre fordelingen af de tunge og lette opgaver mere gennemskuelig?",
            "What would make the sharing of heavy and light tasks more transparent?",
        ),
    ),
    "justice-bridging": (
        Q(
            "Hvordan bliver ressourcer fordelt mellem os og de andre enheder, og forstår vi hvorfor?",
            "How are resources shared between us and the other units, and do we understand why?",
        ),
        Q(
            "Hvordan håndterer vi uenighed med andre enheder på en saglig måde?",
            "How do we handle disagreement with other units in a factual way?",
        ),
        Q(
            "Hvor oplever vi, at nogen bliver favoriseret – og hvad kan vi gøre ved det?",
            "Where do we feel someone is favoured – and what can we do about it?",
        ),
    ),
    "justice-linking": (
        Q(
            "Hvordan kan jeg som leder bedre forklare de afvejninger, der ligger bag mine beslutninger?",
            "How can I as your leader better explain the trade-offs behind my decisions?",
        ),
        Q(
            "Hvornår har I følt jer hørt, før en beslutning blev truffet – og hvornår ikke?",
            "When have you felt heard before a decision was made – and when not?",
        ),
        Q(
            "Behandler ledelsen alle medarbejdere lige? Giv gerne et eksempel uden navne.",
            "Does the management treat all employees equally? Give an example without names.",
        ),
    ),
    "cooperation-bonding": (
        Q(
            "Hvornår hjælper vi hinanden bedst, og hvad står i vejen for at gøre det oftere?",
            "When do we help each other best, and what stands in the way of doing it more often?",
        ),
        Q(
            "Hvordan deler vi viden, så borgerne får den bedste hjælp uanset hvem af os, de møder?",
            "How do we share knowledge, so citizens get the best help whichever of us they meet?",
        ),
        Q(
            "Hvilke opgaver løser vi hver for sig, som vi ville løse bedre sammen?",
            "Which tasks do we solve each on our own that we would solve better together?",
        ),
    ),
    "cooperation-bridging": (
        Q(
            "Hvor oplever borgeren, at vi ikke hænger sammen med de andre enheder?",
            "Where does the citizen experience that we do not join up with the other units?",
        ),
        Q(
            "Hvem i de andre enheder skal vi kende bedre, og hvordan kommer vi i kontakt?",
            "Whom in the other units should we know better, and how do we get in touch?",
        ),
        Q(
            "Hvilken silo vil vi nedbryde først, og hvem skal vi have med?",
            "Which silo do we want to break down first, and whom do we need on board?",
        ),
    ),
    "cooperation-linking": (
        Q(
            "Hvordan kan I blive inddraget tidligere, når vi skal forbedre vores arbejde?",
            "How can you be involved earlier when we set out to improve our work?",
        ),
        Q(
            "Hvor trækker ledelse og medarbejdere i hver sin retning, og hvad er vi fælles om?",
            "Where do management and employees pull in different directions, and what do we share?",
        ),
        Q(
            "Hvilken forbedring vil I gerne have, at vi holder fast i, til den virker?",
            "Which improvement do you want us to hold on to until it works?",
        ),
    ),
}

BY_VALUE: dict[str, tuple[Question, Question, Question]] = {
    "trust": (
        Q(
            "Hvad styrker tilliden mellem os, og hvad svækker den?",
            "What strengthens trust between us, and what weakens it?",
        ),
        Q(
            "Hvor kan vi give hinanden mere frihed og ansvar?",
            "Where can we give each other more freedom and responsibility?",
        ),
        Q(
            "Hvad skal der til, for at vi tør sige fra på en saglig måde?",
            "What does it take for us to dare to object in a factual way?",
        ),
    ),
    "justice": (
        Q(
            "Hvor oplever vi, at noget er uretfærdigt fordelt?",
            "Where do we feel something is unfairly shared?",
        ),
        Q(
            "Hvordan bliver beslutninger truffet, og kan alle se hvorfor?",
            "How are decisions made, and can everyone see why?",
        ),
        Q("Hvordan anerkender vi hinandens arbejde?", "How do we recognise each other's work?"),
    ),
    "cooperation": (
        Q(
            "Hvor lykkes vores samarbejde bedst, og hvad kan vi lære af det?",
            "Where does our cooperation succeed best, and what can we learn from it?",
        ),
        Q(
            "Hvad står i vejen for et bedre samarbejde om kerneopgaven?",
            "What stands in the way of better cooperation on the core task?",
        ),
        Q(
            "Hvem skal vi samarbejde mere med for borgernes skyld?",
            "Whom should we cooperate more with for the citizens' sake?",
        ),
    ),
}

GENERAL: tuple[Question, Question, Question] = (
    Q(
        "Hvad overrasker jer i resultatet, og hvad genkender I?",
        "What surprises you in the result, and what do you recognise?",
    ),
    Q(
        "Hvad er det vigtigste, vi kan gøre anderledes i morgen?",
        "What is the most important thing we can do differently tomorrow?",
    ),
    Q(
        "Hvordan kan vi følge op, så vi holder ved, til det virker?",
        "How can we follow up, so that we hold on until it works?",
    ),
)


def questions_for(dimension_key: str) -> tuple[Question, Question, Question]:
    """Three questions for a dimension: its own, else its value's, else general ones."""
    if dimension_key in QUESTIONS:
        return QUESTIONS[dimension_key]
    value = dimension_key.split("-", 1)[0]
    return BY_VALUE.get(value, GENERAL)
