"""A clue's assessment stored on the inquiry (when, and whether confirmed) instead of being
read back from the case timeline; backfilled from the timeline's assessments."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Inquiry = apps.get_model("casework", "Inquiry")
    TimelineEntry = apps.get_model("casework", "TimelineEntry")
    for entry in TimelineEntry.objects.filter(action="inquiry.assess_clue").order_by("at", "id"):
        details = entry.details or {}
        if details.get("inquiry") is None:
            continue
        Inquiry.objects.filter(pk=details["inquiry"], clue_assessed_at__isnull=True).update(
            clue_assessed_at=entry.at, clue_confirmed=bool(details.get("confirmed"))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_proposal_proposed_in"),
    ]

    operations = [
        migrations.AddField(
            model_name="inquiry",
            name="clue_assessed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="线索研判时间"),
        ),
        migrations.AddField(
            model_name="inquiry",
            name="clue_confirmed",
            field=models.BooleanField(blank=True, null=True, verbose_name="线索属实"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
