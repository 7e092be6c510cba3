from django.db import migrations


def load(apps, schema_editor):
    from members.reference_data import reference_data_sync

    reference_data_sync(apps=apps)
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(pk=1, defaults={"domain": "brainportvoorelkaar.nl", "name": "Brainport voor Elkaar"})


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("sites", "0002_alter_domain_unique")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
