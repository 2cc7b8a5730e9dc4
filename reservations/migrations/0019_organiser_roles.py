"""The organiser's two roles as groups (docs/API.md "The organiser's console"): staff put people
in them in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Box office": ["view_console", "sell_at_box_office", "change_bookings"],
    "Manager": [
        "view_console",
        "sell_at_box_office",
        "change_bookings",
        "keep_seats",
        "export_event",
        "change_event",
    ],
}


def roles_create(apps, schema_editor):
    # Permissions are made after migrations as a rule; these groups need them now.
    app_config = apps.get_app_config("reservations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reservations", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0018_organiser_console"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles_create, migrations.RunPython.noop)]
