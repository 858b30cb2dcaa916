"""Instruments, rounds, invitations and anonymous responses.

How a response is stored is what lets employees answer honestly (DESIGN §3.1–3.2):

- `Response` has the round, a unit (fixed at launch: the respondent's unit, or the
  nearest unit above it whose subtree had k invitations — `Invitation.response_unit`,
  kerne/surveys/pooling.py), the rater group and, in 360 rounds, the evaluation; never
  the person, the invitation or the token. Its id is a random UUID, and it keeps no
  date or time: nothing stored splits respondents in time more finely than the round.
- The answers are packed into `Response.answers`: one byte per item, in the order of
  `Item.position` (0 = not answered or "don't know", 1…5 = the answer option). One
  row per response makes a submission one INSERT, and results read a round's
  answers as one numpy matrix (DESIGN §4).
- `Comment` rows (free text) have no link to their response, no date, and a random id.
- On SQLite, responses and comments live in WITHOUT ROWID tables (migration 0003):
  rows are kept in the order of their random ids, so no hidden rowid reveals the
  order of submissions or pairs a comment with the response submitted with it.
  PostgreSQL keeps no such column, but its system columns (`xmin`, `ctid`) show which
  rows one transaction wrote and roughly in which order, to anyone who can run SQL on
  the tables (never through Kerne), until the round is sealed (kerne/surveys/sealing.py).
- `Invitation` records *that* a person answered (a boolean, no time), never *what*,
  and only while the round runs. Its token is stored only as a SHA-256 hash. When the
  round closes, the flag is cleared with what tells *when* within the round a person
  answered — how many reminders reached them before they answered (`reminders_sent`),
  whether the token in force was e-mailed or printed later (`emailed`): the answered
  invitations of a pooled unit are the candidate authors of its responses
  (services.round_close, sealing.forget_respondents).
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kerne.organisation.models import Person, Unit

NOT_ANSWERED = 0  # packed answer byte for "no answer" and "don't know" (missing in scoring)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class InstrumentKind(models.TextChoices):
    SOCIAL_CAPITAL = "social_capital", _("Social kapital")
    LEADERSHIP_360 = "leadership_360", _("Ledelsesevaluering (360)")
    CITIZEN = "citizen", _("Borger- og virksomhedsoplevet kvalitet")
    OTHER = "other", _("Anden spørgeramme")


class RaterGroup(models.TextChoices):
    EMPLOYEE = "employee", _("Medarbejdere")
    SELF = "self", _("Lederen selv")
    MANAGER = "manager", _("Lederens leder")
    PEER = "peer", _("Lederkolleger")
    CITIZEN = "citizen", _("Borgere og virksomheder")


class Instrument(models.Model):
    """A questionnaire: dimensions of items, plus optional free-text questions.

    Once a round using it has launched, its items and their order are frozen (the
    packed answers refer to item positions); a changed questionnaire is a new version.
    """

    key = models.SlugField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(max_length=32, choices=InstrumentKind.choices)
    name_da = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description_da = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    licence = models.TextField(blank=True, help_text="Licence and source of the questionnaire")
    shipped = models.BooleanField(default=False, help_text="Written for Kerne and shipped with it")

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="instrument_key_version")]

    def __str__(self) -> str:
        return f"{self.name_da} (v{self.version})"


class Dimension(models.Model):
    class Aspect(models.TextChoices):
        NONE = "", _("—")
        BONDING = "bonding", _("I enheden (bonding)")
        BRIDGING = "bridging", _("På tværs af enheder (bridging)")
        LINKING = "linking", _("Til nærmeste leder og ledelsen (linking)")

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField()
    name_da = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    behaviour = models.ForeignKey(
        "foundation.Behaviour", null=True, blank=True, on_delete=models.PROTECT, related_name="dimensions"
    )
    value = models.ForeignKey(
        "foundation.Value", null=True, blank=True, on_delete=models.PROTECT, related_name="dimensions"
    )
    aspect = models.CharField(max_length=16, choices=Aspect.choices, blank=True)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="dimension_key"),
            models.UniqueConstraint(fields=["instrument", "position"], name="dimension_position"),
        ]

    def __str__(self) -> str:
        return self.name_da


class Item(models.Model):
    """A closed question on the five-option scale (plus "don't know")."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField(help_text="Index of this item's byte in packed answers")
    text_da = models.TextField()
    text_en = models.TextField(blank=True)
    # Per-rater-group wording for 360 items: {"self": {"da": "...", "en": "..."}, "manager": {...}}
    wordings = models.JSONField(default=dict, blank=True)
    scale = models.CharField(max_length=32, default="agree5")
    reversed = models.BooleanField(default=False)
    optional = models.BooleanField(default=False)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="item_key"),
            models.UniqueConstraint(fields=["instrument", "position"], name="item_position"),
        ]

    def __str__(self) -> str:
        return self.text_da[:80]


class FreeTextQuestion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="free_text_questions")
    key = models.SlugField(max_length=64)
    position = models.PositiveSmallIntegerField()
    text_da = models.TextField()
    text_en = models.TextField(blank=True)

    class Meta:
        ordering = ["instrument", "position"]
        constraints = [models.UniqueConstraint(fields=["instrument", "key"], name="free_text_key")]

    def __str__(self) -> str:
        return self.text_da[:80]


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Kladde")
        OPEN = "open", _("Åben")
        CLOSED = "closed", _("Lukket")

    class Mode(models.TextChoices):
        INVITED = "invited", _("Personlige invitationer")
        OPEN_LINK = "open_link", _("Åbent link (borgere og virksomheder)")

    name = models.CharField(_("navn"), max_length=200)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.INVITED)
    target_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="target_of_rounds",
        verbose_name=_("målgruppe (enhed og alt under)"),
    )
    opens_at = models.DateTimeField(_("åbner"))
    closes_at = models.DateTimeField(_("lukker"))
    cut_off_date = models.DateField(_("skæringsdato"))
    k = models.PositiveSmallIntegerField(
        _("anonymitetsgrænse"),
        default=settings.KERNE_DEFAULT_K,
        validators=[MinValueValidator(settings.KERNE_MIN_K)],
    )
    comment_k = models.PositiveSmallIntegerField(
        _("anonymitetsgrænse for kommentarer"),
        default=settings.KERNE_DEFAULT_K,
        validators=[MinValueValidator(settings.KERNE_MIN_K)],
    )
    languages = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    released = models.BooleanField(_("frigivet til ledere og medarbejdere"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(k__gte=3), name="round_k_at_least_3"),
            models.CheckConstraint(
                condition=Q(comment_k__gte=models.F("k")), name="round_comment_k_at_least_k"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """A leader evaluated in a 360 round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evaluations")
    leader = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="evaluations")
    leader_name = models.CharField(max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "leader"], name="evaluation_per_leader")]

    def __str__(self) -> str:
        return f"{self.leader_name} – {self.round}"


class Invitation(models.Model):
    """The right of one person to answer once. Knows *that* they answered, never *what*, and
    only until the round closes (sealing.forget_respondents)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    # SET_NULL: erasing a person (GDPR) keeps the round's invitation counts intact.
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="invitations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # Where this invitation's answers are stored: `unit`, or the nearest unit above it whose
    # subtree had k invitations at launch (kerne/surveys/pooling.py). Null in 360 rounds (the
    # evaluation's unit) and in rounds launched before pooling: the answers go to `unit`.
    response_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rater_group = models.CharField(max_length=16, choices=RaterGroup.choices, default=RaterGroup.EMPLOYEE)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    answered = models.BooleanField(default=False)
    emailed = models.BooleanField(default=False)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        # `answered` is left out of every index, so marking an invitation answered changes no
        # indexed column: on PostgreSQL the claim is a HOT update (no index writes), with room
        # on the page kept by the table's fillfactor (migration 0005). It matters in a survey rush.
        indexes = [models.Index(fields=["round", "unit"], name="surveys_invitation_round_unit")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "evaluation", "rater_group"], name="one_invitation_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.person}"


class OpenLink(models.Model):
    """The public link (and QR code) of an open survey for one unit."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="open_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    slug = models.CharField(max_length=32, unique=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="open_link_per_unit")]

    def __str__(self) -> str:
        return f"{self.round} – {self.unit}"


class OpenSubmission(models.Model):
    """That one browser submitted an open survey once (double-submit protection).

    Only the hash of the random nonce its form carried: no IP, no time, no link to the
    response it came with. The primary key is the hash itself (no sequential id), and
    on SQLite the table has no rowid (migration 0003), so neither a column nor the
    insertion order pairs a row with a response.
    """

    nonce_hash = models.CharField(max_length=64, primary_key=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Open submission {self.nonce_hash[:8]}"


class Response(models.Model):
    """One anonymous response (DESIGN §3.1). See the module docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rater_group = models.CharField(max_length=16, choices=RaterGroup.choices)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )
    answers = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return f"Response {self.id}"


class Comment(models.Model):
    """A free-text answer, stored apart from the response it came with (DESIGN §3.5)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="comments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    rater_group = models.CharField(max_length=16, choices=RaterGroup.choices)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    question = models.ForeignKey(FreeTextQuestion, on_delete=models.PROTECT, related_name="comments")
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["round", "unit"])]

    def __str__(self) -> str:
        return f"Comment {self.id}"
