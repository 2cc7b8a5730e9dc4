"""What staff change in the admin is recorded in the ledger as theirs (reservations/ledger/):
a ModelAdmin whose pages or actions change seats takes this mixin."""

from ..ledger.context import seat_changes
from ..ledger.models import Via


class StaffChanges:
    """The seats a page's form or action changes are changed through the admin by its user."""

    def changelist_view(self, request, extra_context=None):  # where the actions run
        with seat_changes(Via.ADMIN, actor_id=request.user.pk):
            return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with seat_changes(Via.ADMIN, actor_id=request.user.pk):
            return super().changeform_view(request, object_id, form_url, extra_context)
