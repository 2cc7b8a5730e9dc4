"""The organiser's two roles as groups (reservations/roles.py): staff put people in them in the
admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from reservations.roles import ROLES, role_group


def roles_create(apps, schema_editor):
    # Permissions are made after migrations as a rule; these groups need them now.
    app_config = apps.get_app_config("reservations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for name in ROLES:
        role_group(
            name,
            group_model=apps.get_model("auth", "Group"),
            permission_model=apps.get_model("auth", "Permission"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0018_organiser_console"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]
