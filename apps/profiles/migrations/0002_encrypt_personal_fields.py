"""Display names, bios and profile sections are encrypted at rest, bound to their row (the
profile's user, apps.core.fields): make the columns text, seal every stored value in place,
then let the fields decrypt them."""

import json

import apps.core.fields
from django.db import migrations, models

from apps.core import crypto
from apps.core.fields import row_context

PLAIN = ("display_name", "bio")


def _context(field: str, user_id) -> str:
    return row_context(f"profiles.profile.{field}", [user_id])


def seal(apps, schema_editor):
    Profile = apps.get_model("profiles", "Profile")
    alias = schema_editor.connection.alias
    rows = Profile.objects.using(alias).values("pk", "user_id", "display_name", "bio", "sections")
    for row in rows.iterator():
        sections = row["sections"] if isinstance(row["sections"], str) else json.dumps(row["sections"] or [])
        sealed = {
            field: crypto.encrypt(row[field] or "", context=_context(field, row["user_id"])) for field in PLAIN
        }
        sealed["sections"] = crypto.encrypt(
            json.dumps(json.loads(sections), separators=(",", ":")), context=_context("sections", row["user_id"])
        )
        Profile.objects.using(alias).filter(pk=row["pk"]).update(**sealed)


def unseal(apps, schema_editor):
    Profile = apps.get_model("profiles", "Profile")
    alias = schema_editor.connection.alias
    rows = Profile.objects.using(alias).values("pk", "user_id", "display_name", "bio", "sections")
    for row in rows.iterator():
        Profile.objects.using(alias).filter(pk=row["pk"]).update(
            **{
                field: crypto.decrypt(row[field], context=_context(field, row["user_id"]))
                for field in (*PLAIN, "sections")
            }
        )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [
        # 1. Plain text columns (sections: its JSON as text), so the values can be read as stored.
        migrations.AlterField("profile", "display_name", models.TextField(max_length=64)),
        migrations.AlterField("profile", "bio", models.TextField(blank=True, default="", max_length=140)),
        migrations.AlterField("profile", "sections", models.TextField(blank=True, default="[]")),
        # 2. Seal them.
        migrations.RunPython(seal, unseal, hints={"model_name": "profile"}),
        # 3. The fields that decrypt them (no change to the columns).
        migrations.AlterField("profile", "display_name", apps.core.fields.EncryptedTextField(max_length=64)),
        migrations.AlterField(
            "profile", "bio", apps.core.fields.EncryptedTextField(blank=True, default="", max_length=140)
        ),
        migrations.AlterField(
            "profile", "sections", apps.core.fields.EncryptedJSONField(blank=True, default=list)
        ),
    ]
