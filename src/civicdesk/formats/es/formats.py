"""Spanish for a US city: Django's Spanish dates, with US numbers (10,000.5), as US Spanish-language media write them
and as the forms' examples (2.5, 38.8977) and every map coordinate expect."""

from django.conf.locale.es.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
