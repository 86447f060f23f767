from django.db import migrations


class Migration(migrations.Migration):
    """The figures live in Figure now (copied by 0003): the fixed-field tables go."""

    dependencies = [("stats", "0003_copy_fixed_fields_to_figures")]
    operations = [
        migrations.DeleteModel(name="MunicipalitySharedFigure"),
        migrations.DeleteModel(name="ServicePointFigures"),
    ]
