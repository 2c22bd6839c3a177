"""Listening streams and their append-only posts, minute counts and surge alerts (no case or contact per post)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    JETSTREAM = "jetstream", _("Bluesky Jetstream")
    MASTODON = "mastodon", _("Mastodon stream")
    X = "x", _("X filtered stream")
    RSS = "rss", _("RSS or Atom feed")
    OWN_CHANNELS = "own", _("Our own channels")
    REPLAY = "replay", _("Replayed file")


JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post"
LIVE_SOURCES = (SourceKind.JETSTREAM, SourceKind.MASTODON, SourceKind.RSS, SourceKind.OWN_CHANNELS)


class Category(models.TextChoices):
    AFFECTED_PEOPLE = "affected_people", _("Affected people")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and utilities")
    CAUTION_ADVICE = "caution_advice", _("Caution and advice")
    DONATIONS_VOLUNTEERING = "donations", _("Donations and volunteering")
    SYMPATHY = "sympathy", _("Sympathy")
    OTHER_USEFUL = "other_useful", _("Other useful information")
    NOT_RELEVANT = "not_relevant", _("Not relevant")


class PlaceSource(models.TextChoices):
    COORDINATES = "coordinates", _("The post's coordinates")
    POST_PLACE = "post_place", _("The post's place")
    TEXT = "text", _("A street or place named in the text")


class CountKind(models.TextChoices):
    STREAM = "stream", _("Every relevant post of the stream")
    TERM = "term", _("A term")
    CATEGORY = "category", _("A category")
    CELL = "cell", _("An area cell")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    MERGED = "merged", _("Merged into another alert")
    DISMISSED = "dismissed", _("Dismissed")


class Stream(models.Model):
    """What to listen to and how sensitive the surge detector is; rules empty: every post of the source."""

    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    source = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.REPLAY,
                              verbose_name=_("source"))
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name=_("agency"))
    keywords = models.JSONField(default=list, blank=True, verbose_name=_("keywords and phrases"),
                                help_text=_("A post matches when it holds one of them (case does not matter)."))
    hashtags = models.JSONField(default=list, blank=True, verbose_name=_("hashtags"))
    accounts = models.JSONField(default=list, blank=True, verbose_name=_("accounts"))
    languages = models.JSONField(default=list, blank=True, verbose_name=_("languages"),
                                 help_text=_("Language codes such as en and es; empty: every language."))
    box = models.JSONField(default=list, blank=True, verbose_name=_("geographic box"),
                           help_text=_("[min lon, min lat, max lon, max lat]; empty: the jurisdiction's extent. "
                                       "Posts without coordinates are kept."))
    sensitivity = models.FloatField(default=1.0, verbose_name=_("sensitivity"),
                                    help_text=_("Above 1 raises alerts sooner and more often; below 1, later and "
                                                "more rarely."))
    retention_days = models.PositiveIntegerField(default=30, verbose_name=_("days posts are kept"))
    active = models.BooleanField(default=True, verbose_name=_("active"))
    source_url = models.CharField(max_length=500, blank=True, verbose_name=_("source address"),
                                  help_text=_("An RSS or Atom feed's address, or a Jetstream endpoint (empty: the "
                                              "public one)."))
    channel_account = models.ForeignKey(
        "channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        limit_choices_to={"provider": "mastodon"}, verbose_name=_("Mastodon account"),
        help_text=_("A Mastodon stream listens to the public (or one hashtag's) posts of this account's instance."))
    source_state = models.JSONField(default=dict, blank=True, editable=False,
                                    help_text="Where the source resumes: Jetstream's cursor, a feed's ETag and "
                                              "Last-Modified, the last inbound message seen.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("listening stream")
        verbose_name_plural = _("listening streams")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        url = self.source_url.strip()
        if self.source == SourceKind.RSS and not url.startswith(("http://", "https://")):
            raise ValidationError({"source_url": _("An RSS or Atom stream needs its feed's address (http or https).")})
        if self.source == SourceKind.JETSTREAM:
            if not url:
                url = JETSTREAM_URL
            elif not url.startswith(("ws://", "wss://")):
                raise ValidationError({"source_url": _("A Jetstream address starts with wss:// (or ws://).")})
            if self.active and not (self.keywords or self.hashtags or self.accounts):
                raise ValidationError({"keywords": _(
                    "Jetstream carries every public Bluesky post, hundreds a second: give the stream keywords, "
                    "hashtags or accounts to listen for.")})
        if self.source == SourceKind.MASTODON:
            if self.channel_account_id is None or getattr(self.channel_account, "provider", "") != "mastodon":
                raise ValidationError({"channel_account": _(
                    "A Mastodon stream listens through a connected Mastodon account: choose one.")})
            if self.active and not (self.keywords or self.hashtags or self.accounts):
                raise ValidationError({"keywords": _(
                    "An instance's public stream carries every post it federates: give the stream keywords, "
                    "hashtags or accounts to listen for.")})
        self.source_url = url


class Post(models.Model):
    """One public post, written once in a batch with its triage; reposts and near-duplicates keep their row but
    carry is_echo (the detector and the triage view count the original once)."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="posts")
    platform = models.CharField(max_length=20)
    post_id = models.CharField(max_length=200)
    author = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    ingested_at = models.DateTimeField()
    text = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    lang = models.CharField(max_length=8, blank=True)
    relevance = models.FloatField()
    category = models.CharField(max_length=20, choices=Category.choices)
    urgent = models.BooleanField(default=False)
    sentiment = models.FloatField(default=0.0)
    weight = models.FloatField(default=1.0, help_text="1 for an original post; less for relaying accounts; 0 echoes.")
    is_echo = models.BooleanField(default=False)
    fingerprint = models.BigIntegerField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    place_source = models.CharField(max_length=20, choices=PlaceSource.choices, blank=True)
    place_confidence = models.FloatField(default=0.0)
    cell = models.BigIntegerField(null=True, blank=True, help_text="gis.cells cell of the point, when placed.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "post_id"], name="listening_post_unique")]
        indexes = [models.Index(fields=["stream", "created_at"], name="listening_post_stream_time"),
                   models.Index(fields=["created_at"], name="listening_post_time")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.post_id}"


class MinuteCount(models.Model):
    """Posts per minute of a stream, for the whole stream (relevant posts), a term, a category or an area cell.
    Kept after the posts are purged."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="minute_counts")
    minute = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=CountKind.choices)
    key = models.CharField(max_length=100, blank=True)
    posts = models.PositiveIntegerField(default=0)
    weight = models.FloatField(default=0.0, help_text="Posts weighted: echoes 0, relaying accounts less than 1.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "kind", "key", "minute"],
                                               name="listening_minute_unique")]
        indexes = [models.Index(fields=["stream", "minute"], name="listening_minute_stream")]


class Alert(models.Model):
    """A surge: the rate against the usual rate, its top terms, sample posts and where; staff acknowledge, merge
    or dismiss it (a dismissal changes no setting)."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="alerts")
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    kind = models.CharField(max_length=10, choices=CountKind.choices, default=CountKind.STREAM)
    key = models.CharField(max_length=100, blank=True)
    raised_at = models.DateTimeField(help_text="On the posts' clock.")
    window_start = models.DateTimeField()
    posts = models.PositiveIntegerField()
    rate_per_min = models.FloatField()
    baseline_per_min = models.FloatField()
    terms = models.JSONField(default=list)
    categories = models.JSONField(default=dict)
    samples = models.JSONField(default=list, help_text="Post ids (platform:id) of sample posts.")
    area = models.JSONField(default=dict, help_text="{'cells': [[cell, posts], ...], 'box': [...], 'places': [...]}")
    keys = models.JSONField(default=list, help_text="Every count that surged while this alert was open.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["stream", "status"], name="listening_alert_stream")]

    def __str__(self) -> str:
        return f"{self.stream} {self.raised_at:%Y-%m-%d %H:%M}"


class PostCase(models.Model):
    """The case made from a post: one per post (the unique post makes "make a case" happen once, however often it is
    pressed); the case's first message and its automatic note say where it came from."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="case_link")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    made_at = models.DateTimeField()


class PostFlag(models.Model):
    """A post staff marked as misinformation (shown in the triage view's list; PostEvent keeps who and when)."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="flag")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    flagged_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)


class PostEventKind(models.TextChoices):
    CASE_MADE = "case_made", _("Made a case from the post")
    MARKED_MISINFORMATION = "misinformation", _("Marked as misinformation")
    UNMARKED_MISINFORMATION = "not_misinformation", _("No longer marked as misinformation")
    ALERT_ACKNOWLEDGED = "alert_acknowledged", _("Acknowledged the alert")
    ALERT_DISMISSED = "alert_dismissed", _("Dismissed the alert")
    ALERT_MERGED = "alert_merged", _("Merged the alert into another")
    GROUPED = "grouped", _("Grouped the post into an incident")
    INCIDENT_DECLARED = "incident_declared", _("Declared an incident from the alert")


class PostEvent(models.Model):
    """The triage view's audit trail: who did what to which post or alert, when, and why (kept when a post is
    purged: `post_ref` is its platform:id)."""

    kind = models.CharField(max_length=30, choices=PostEventKind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    post_ref = models.CharField(max_length=250, blank=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text="A case number or an incident's address.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["at"], name="listening_event_at")]


class IncidentPost(models.Model):
    """A post staff grouped into an incident (what people said about it); once per post and incident."""

    incident = models.ForeignKey("crisis.Incident", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="incident_links")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "post"], name="incident_post_once")]
