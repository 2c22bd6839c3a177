"""Each agency's fixed weekly schedule (agencies.BusinessHours, kept for the voice greeting until calendars came)
becomes its business calendar's weekly hours, in the site's time zone as before."""

from django.db import migrations


def forward(apps, schema_editor):
    BusinessHours = apps.get_model("agencies", "BusinessHours")
    BusinessCalendar = apps.get_model("calendars", "BusinessCalendar")
    OpenInterval = apps.get_model("calendars", "OpenInterval")
    by_agency: dict[int, list] = {}
    for row in BusinessHours.objects.order_by("agency_id", "weekday", "opens"):
        by_agency.setdefault(row.agency_id, []).append(row)
    for agency_id, rows in by_agency.items():
        calendar, _ = BusinessCalendar.objects.get_or_create(agency_id=agency_id)
        OpenInterval.objects.bulk_create([OpenInterval(calendar=calendar, weekday=r.weekday, opens=r.opens,
                                                       closes=r.closes) for r in rows], ignore_conflicts=True)


def backward(apps, schema_editor):
    BusinessHours = apps.get_model("agencies", "BusinessHours")
    OpenInterval = apps.get_model("calendars", "OpenInterval")
    for row in OpenInterval.objects.filter(calendar__agency__isnull=False).select_related("calendar"):
        BusinessHours.objects.get_or_create(agency_id=row.calendar.agency_id, weekday=row.weekday, opens=row.opens,
                                            defaults={"closes": row.closes})


class Migration(migrations.Migration):
    dependencies = [
        ("calendars", "0001_initial"),
        ("agencies", "0007_business_hours"),
    ]

    operations = [migrations.RunPython(forward, backward)]
