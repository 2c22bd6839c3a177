"""One row per daily export: which day, when it was written, how many requests, and the files' sizes."""

from django.db import models


class Export(models.Model):
    """The requests as they stood when the day's export ran; the files live under VAR_DIR/opendata/<day>/."""

    day = models.DateField(unique=True)
    generated_at = models.DateTimeField()
    rows = models.PositiveIntegerField()
    csv_bytes = models.PositiveBigIntegerField()
    geojson_bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} ({self.rows} requests)"
