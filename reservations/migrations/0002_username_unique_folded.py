from django.db import migrations


class Migration(migrations.Migration):
    """Usernames unique regardless of case (reservations/users.py), enforced by the database
    so two registrations of ``alice`` and ``ALICE`` at once cannot both succeed. UPPER() is what
    Django's ``iexact`` compares on PostgreSQL."""

    dependencies = [
        ("reservations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX auth_user_username_upper_uniq ON auth_user (UPPER(username))",
            "DROP INDEX auth_user_username_upper_uniq",
        ),
    ]
