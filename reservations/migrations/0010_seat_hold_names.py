"""One word for a hold: the seat's holder and the hold's end are `held_by` and `held_until`, beside
`held_since` (the API and the socket still say `locked_until`, their contract). The index and
the check on the renamed columns are made again under the new names."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reservations', '0009_refresh_family'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='seat',
            name='seat_status_matches_holder',
        ),
        migrations.RemoveIndex(
            model_name='seat',
            name='seat_locked_until',
        ),
        migrations.RemoveIndex(
            model_name='seat',
            name='seat_holds',
        ),
        migrations.RenameField(
            model_name='seat',
            old_name='locked_by',
            new_name='held_by',
        ),
        migrations.RenameField(
            model_name='seat',
            old_name='locked_until',
            new_name='held_until',
        ),
        migrations.AddIndex(
            model_name='seat',
            index=models.Index(condition=models.Q(('status', 'locked')), fields=['held_until'], name='seat_held_until'),
        ),
        migrations.AddIndex(
            model_name='seat',
            index=models.Index(condition=models.Q(('status', 'locked')), fields=['event', 'held_by'], name='seat_holds'),
        ),
        migrations.AddConstraint(
            model_name='seat',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('held_by__isnull', True), ('reserved_by__isnull', True), ('status', 'available')), models.Q(('held_by__isnull', False), ('held_until__isnull', False), ('status', 'locked')), models.Q(('held_by__isnull', True), ('status', 'reserved')), _connector='OR'), name='seat_status_matches_holder'),
        ),
    ]
