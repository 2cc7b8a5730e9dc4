"""An event's waiting room (API.md "Waiting room"): the organiser's settings, where it stands,
and the revocation of every turn. The draw's seed is never shown; its commitment is."""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import pluralize

from ..models import WaitingRoom
from ..waiting_room.draw import commitment_of
from ..waiting_room.organiser import (
    randomness_problem,
    source_change_problem,
    times_problem,
    turns_revoke,
)
from ..waiting_room.rooms_in_memory import rooms


class WaitingRoomForm(forms.ModelForm):
    class Meta:
        model = WaitingRoom
        fields = [
            "event",
            "opens_at",
            "on_sale_at",
            "turn_seconds",
            "claim_seconds",
            "max_active",
            "paused_by_organiser",
            "challenge",
            "randomness_source",
            "public_randomness",
        ]

    def clean(self):
        data = super().clean()
        opens, on_sale = data.get("opens_at"), data.get("on_sale_at")
        if opens and on_sale and (problem := times_problem(opens, on_sale)):
            raise forms.ValidationError(problem)
        saved = self.instance if self.instance.pk else None
        source = data.get("randomness_source", "")
        if on_sale and (problem := source_change_problem(saved, source, on_sale)):
            self.add_error("randomness_source", problem)
        randomness = data.get("public_randomness", "")
        if saved is None and randomness:
            self.add_error("public_randomness", "Set it once the named round is out.")
        elif saved and (problem := randomness_problem(saved, randomness)):
            self.add_error("public_randomness", problem)
        return data


@admin.register(WaitingRoom)
class WaitingRoomAdmin(admin.ModelAdmin):
    form = WaitingRoomForm
    list_display = ["event", "state", "opens_at", "on_sale_at", "serving", "numbered"]
    readonly_fields = [
        "commitment",
        "state",
        "reason",
        "entrants",
        "numbered",
        "serving",
        "drawn_at",
        "seats_left",
        "generation",
    ]
    actions = ["revoke_turns"]

    @admin.display(description="commitment (sha256 of the draw's seed)")
    def commitment(self, room: WaitingRoom) -> str:
        return commitment_of(room.seed)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        rooms.forget()

    @admin.action(description="Revoke every turn token issued so far", permissions=["change"])
    def revoke_turns(self, request, queryset):
        event_ids = list(queryset.values_list("event_id", flat=True))
        for event_id in event_ids:
            turns_revoke(event_id=event_id)
        n = len(event_ids)
        self.message_user(
            request, f"Revoked the turns of {n} event{pluralize(n)}.", messages.SUCCESS
        )
