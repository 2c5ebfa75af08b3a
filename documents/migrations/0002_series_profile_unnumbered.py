"""Number series (函/请/报/复/发) instead of one suffix per kind; forms and records unnumbered;
per-organisation issuer profiles.

Existing documents and counters keep their kind as their series key, so their printed numbers
stay unique. The new letter series of an organ continues after its inquiry letters (the only
kind printed with 函 before), so no 函 number is printed twice.
"""

import django.db.models.deletion
from django.db import migrations, models


def series_from_kind(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    DocumentCounter = apps.get_model("documents", "DocumentCounter")
    for document in Document.objects.filter(series="").only("pk", "kind"):
        Document.objects.filter(pk=document.pk).update(series=document.kind)
    for counter in DocumentCounter.objects.filter(series="inquiry_letter"):
        DocumentCounter.objects.update_or_create(
            doc_code=counter.doc_code,
            series="letter",
            year=counter.year,
            defaults={"last_serial": counter.last_serial},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0003_signals_inquiries"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IssuerProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "letter_suffix",
                    models.CharField(default="函", max_length=10, verbose_name="函件代字"),
                ),
                (
                    "request_suffix",
                    models.CharField(default="请", max_length=10, verbose_name="请示代字"),
                ),
                (
                    "report_suffix",
                    models.CharField(default="报", max_length=10, verbose_name="报告代字"),
                ),
                (
                    "reply_suffix",
                    models.CharField(default="复", max_length=10, verbose_name="批复代字"),
                ),
                (
                    "decision_suffix",
                    models.CharField(default="发", max_length=10, verbose_name="决定代字"),
                ),
                (
                    "printing_office",
                    models.CharField(
                        blank=True,
                        help_text="留空则为发文机关本身",
                        max_length=100,
                        verbose_name="印发机关",
                    ),
                ),
                (
                    "seal_image",
                    models.CharField(
                        blank=True,
                        help_text="服务器上的PNG文件路径",
                        max_length=300,
                        verbose_name="印章图片路径",
                    ),
                ),
                (
                    "contact_person",
                    models.CharField(blank=True, max_length=50, verbose_name="联系人"),
                ),
                (
                    "contact_phone",
                    models.CharField(blank=True, max_length=40, verbose_name="联系电话"),
                ),
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="issuer_profile",
                        to="casework.organisation",
                        verbose_name="党组织",
                    ),
                ),
            ],
            options={"verbose_name": "发文设置", "verbose_name_plural": "发文设置"},
        ),
        migrations.RemoveConstraint(model_name="document", name="document_serial_unique"),
        migrations.RemoveConstraint(model_name="documentcounter", name="doc_counter_key"),
        migrations.RenameField(model_name="documentcounter", old_name="kind", new_name="series"),
        migrations.AlterField(
            model_name="documentcounter",
            name="series",
            field=models.CharField(max_length=32),
        ),
        migrations.AddField(
            model_name="document",
            name="series",
            field=models.CharField(blank=True, max_length=32, verbose_name="编号系列"),
        ),
        migrations.AlterField(
            model_name="document",
            name="doc_code",
            field=models.CharField(blank=True, max_length=40, verbose_name="机关代字"),
        ),
        migrations.AlterField(
            model_name="document",
            name="kind",
            field=models.CharField(
                choices=[
                    ("register_form", "失联党员登记表"),
                    ("member_letter", "致党员的信"),
                    ("talk_record", "谈话记录"),
                    ("inquiry_letter", "协助查找函"),
                    ("reminder_letter", "催办函"),
                    ("public_notice", "公告"),
                    ("approval_form", "处置审批表"),
                    ("pre_review_opinion", "预审意见"),
                    ("defence_notice", "处置告知书"),
                    ("delivery_receipt", "送达回证"),
                    ("meeting_resolution", "支部大会决议"),
                    ("request", "请示"),
                    ("filing_report", "备案报告"),
                    ("reply", "批复"),
                    ("decision_correction", "限期改正决定"),
                    ("decision_persuasion", "劝退决定"),
                    ("decision_removal", "除名决定"),
                    ("decision_removal_persuaded", "劝而不退除名决定"),
                    ("decision_suspension", "停止党籍决定"),
                    ("decision_annul_probation", "取消预备党员资格决定"),
                    ("decision_restoration", "恢复党籍决定"),
                    ("correction_review", "限期改正考察意见"),
                    ("restoration_form", "恢复党籍申请审批表"),
                    ("appeal_acknowledgement", "申诉受理通知"),
                    ("appeal_reply", "申诉复查答复"),
                    ("transfer_chaser", "组织关系回执催办函"),
                    ("dossier", "案卷"),
                ],
                max_length=32,
                verbose_name="文书类型",
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="number",
            field=models.CharField(
                blank=True, max_length=80, null=True, unique=True, verbose_name="发文字号"
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="serial",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(series_from_kind, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                fields=("doc_code", "series", "year", "serial"), name="document_serial_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="documentcounter",
            constraint=models.UniqueConstraint(
                fields=("doc_code", "series", "year"), name="doc_counter_key"
            ),
        ),
    ]
