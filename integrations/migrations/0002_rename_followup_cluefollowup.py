"""The integrations follow-up is a clue's follow-up (casework has its own FollowUp)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_directory_delivery_answers"),
    ]

    operations = [
        migrations.RenameModel(old_name="FollowUp", new_name="ClueFollowUp"),
    ]
