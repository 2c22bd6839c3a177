"""Each team's assignment rule (manual, round robin, least open first), capacity, and each agent's bookkeeping."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.models import Team

MAX_CAPACITY = 500


class AssignmentMode(models.TextChoices):
    """How a case landing in a team's queue finds its agent."""

    MANUAL = "manual", _("Manual: cases wait in the queue until someone assigns them")
    ROUND_ROBIN = "round_robin", _("Round robin: each available agent in turn")
    LEAST_OPEN = "least_open", _("Least open cases first: the available agent with the fewest open cases")

    @classmethod
    def automatic(cls) -> list[str]:
        return [cls.ROUND_ROBIN, cls.LEAST_OPEN]


class TeamAssignment(models.Model):
    """A team's assignment settings, and the round robin's pointer (the agent who got the last case).

    No row: the team assigns manually. The row is also the lock automatic assignments of the team's agency take
    (one at a time per agency: capacities count a person's open cases across the agency)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="assignment")
    mode = models.CharField(max_length=20, choices=AssignmentMode.choices, default=AssignmentMode.MANUAL,
                            verbose_name=_("assignment"))
    capacity = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        verbose_name=_("open cases per agent"),
        help_text=_("An agent with this many open cases of the agency gets no more automatically."))
    return_when_away = models.BooleanField(
        default=False, verbose_name=_("return unanswered cases when an agent goes away"),
        help_text=_("When an agent is marked away, their cases of this team with no first response yet go back to "
                    "the queue and are assigned to someone available."))
    last_assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", help_text="The round robin's pointer.")
    turns = models.PositiveBigIntegerField(
        default=0, help_text="Automatic assignments made: each moves it on by a conditional update.")

    def __str__(self) -> str:
        return f"{self.team_id}: {self.mode}"


class TeamAgent(models.Model):
    """One agent in one team: their own capacity (empty: the team's) and when the team last gave them a case."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_CAPACITY)], verbose_name=_("own capacity"),
        help_text=_("Empty: the team's. 0: this person gets no cases automatically."))
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_agent_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}/{self.user_id}"
