"""Where each proposal was made (the case status), stored as data: a send back from
pre-review returns there (it used to be read back from the case timeline)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Proposal = apps.get_model("casework", "Proposal")
    TimelineEntry = apps.get_model("casework", "TimelineEntry")
    Proposal.objects.filter(kind="return_to_normal", proposed_in="").update(proposed_in="located")
    for proposal in Proposal.objects.filter(proposed_in="").only("pk", "case_id").iterator():
        made_in = (
            TimelineEntry.objects.filter(
                case_id=proposal.case_id, action="case.propose", details__proposal=proposal.pk
            )
            .values_list("from_status", flat=True)
            .first()
        )
        if made_in:
            Proposal.objects.filter(pk=proposal.pk).update(proposed_in=made_in)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_dashboard_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="proposed_in",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
