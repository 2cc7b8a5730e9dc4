"""Webhook endpoints (docs/LEDGER.md "Webhooks"): an organiser registers a URL on the public
internet (webhooks/reach.py), for one event or all, with the event types it wants; its signing
secret is made for it and shown to those who may change endpoints, who may roll it. Each
endpoint's page shows its latest deliveries; "Send a test" sends one now and says how it went
(the status, never the receiver's reply). The delivery log (every attempt's outcome, the next
one) is read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.validators import URLValidator
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..webhooks.models import SECRET_GRACE, EventType, WebhookDelivery, WebhookEndpoint
from ..webhooks.reach import destination_problem
from ..webhooks.sending import PENDING, http_pool, message_body, test_sent, waiting_unsent

SHOWN = 50  # an endpoint's latest deliveries on its page
SEATS_CHANGED = EventType.SEATS_CHANGED.value
# Who may send to an endpoint or retry a delivery: who may change endpoints.
CHANGE_ENDPOINTS = "reservations.change_webhookendpoint"


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where the signed POSTs go: an address on the public internet.",
    )
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    roll_secret = forms.BooleanField(
        required=False,
        label="Roll the secret",
        help_text=f"Make a new secret; the one it replaces signs too for "
        f"{SECRET_GRACE.total_seconds() / 3600:.0f} hours, while receivers take the new one.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "event", "event_types", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if problem := destination_problem(url):
            raise forms.ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["__str__", "url", "event", "types", "enabled", "last_success_at"]
    list_filter = ["enabled"]
    readonly_fields = [
        "secret",
        "previous_secret_until",
        "disabled_reason",
        "failing_since",
        "last_success_at",
        "created_at",
        "latest_deliveries",
    ]
    actions = ["send_test"]

    @admin.display(description="event types")
    def types(self, endpoint):
        return ", ".join(endpoint.event_types)

    def get_fields(self, request, obj=None):
        """The secret is shown only to who may change the endpoint (and roll it)."""
        hidden = {"roll_secret"} if obj is None else set()
        if not self.has_change_permission(request, obj):
            hidden |= {"secret", "previous_secret_until", "roll_secret"}
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("roll_secret"):
            obj.secret_rolled(now=timezone.now())
        if "enabled" in form.changed_data and obj.enabled:  # enabled again by hand: a fresh start
            obj.disabled_reason, obj.failing_since = "", None
        asked_anew = SEATS_CHANGED not in (form.initial.get("event_types") or [])
        if change and SEATS_CHANGED in obj.event_types and asked_anew:
            obj.ledger_from_now()  # the changes from now on, not those since it was made
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """An endpoint goes with its delivery log, which no one deletes by hand."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        log = WebhookDelivery._meta.verbose_name
        return deleted, counts, perms_needed - {log}, protected

    @admin.display(description=f"latest deliveries (newest {SHOWN})")
    def latest_deliveries(self, endpoint):
        if endpoint.pk is None:
            return ""
        rows = endpoint.deliveries.select_related("message").order_by("-id")[:SHOWN]
        return format_html(
            "<table><thead><tr><th>message</th><th>type</th><th>state</th><th>attempts</th>"
            "<th>last status</th><th>last answer</th><th>next attempt</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td>' + "<td>{}</td>" * 6 + "</tr>",
                (
                    (
                        reverse("admin:reservations_webhookdelivery_change", args=[d.pk]),
                        d.message.msg_id,
                        d.message.type,
                        d.state,
                        d.attempts,
                        d.last_status or "",
                        d.last_answer[:80],
                        _when(d.next_attempt_at) if d.state == PENDING else "",
                    )
                    for d in rows
                ),
            ),
        )

    def has_send_permission(self, request):
        return request.user.has_perm(CHANGE_ENDPOINTS)

    def changelist_view(self, request, extra_context=None):
        _warn_if_no_worker(self, request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _warn_if_no_worker(self, request)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Send a test to the selected endpoints (now)", permissions=["send"])
    def send_test(self, request, queryset):
        with http_pool() as pool:
            for endpoint in queryset:
                delivery = test_sent(endpoint, by=request.user.get_username(), pool=pool)
                self.message_user(
                    request,
                    f"Test to {endpoint.url}: {_outcome(delivery)}",
                    messages.SUCCESS if delivery.delivered_at else messages.ERROR,
                )
        # A test is sent from this page; everything else only by a webhook worker.
        _warn_if_no_worker(self, request)


def _warn_if_no_worker(model_admin, request) -> None:
    """The webhooks' page says so when what is due waits for a worker nobody started."""
    if request.method != "GET" and not request.POST.get("action"):
        return
    count, since = waiting_unsent(now=timezone.now())
    if count:
        model_admin.message_user(
            request,
            f"{count} deliver{pluralize(count, 'y,ies')} due since {_when(since)} "
            f"{pluralize(count, 'waits,wait')} for a webhook worker: is `manage.py "
            "deliver_webhooks` running? (`make run` and config/run-full-stack.sh start one.)",
            messages.WARNING,
        )


def _outcome(delivery: WebhookDelivery) -> str:
    """How a test went, never what the receiver wrote back (an address inside would show it)."""
    if delivery.last_status is not None:
        return f"status {delivery.last_status}"
    return f"no answer ({delivery.last_answer.partition(':')[0]})"


def _when(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else ""


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: each message to each endpoint, its attempts and the last answer."""

    list_display = [
        "id",
        "message_type",
        "msg_id",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "answer",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["state", "endpoint", "message__type"]
    list_select_related = ["message", "endpoint"]
    search_fields = ["message__msg_id"]
    fields = [
        "message_type",
        "msg_id",
        "endpoint",
        "state",
        "attempts",
        "last_status",
        "last_answer",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "body",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description="type", ordering="message__type")
    def message_type(self, delivery):
        return delivery.message.type

    @admin.display(description="webhook-id")
    def msg_id(self, delivery):
        return delivery.message.msg_id

    @admin.display(description="last answer")
    def answer(self, delivery):
        return delivery.last_answer[:80]

    @admin.display(description="body as sent")
    def body(self, delivery):
        return format_html("<pre>{}</pre>", message_body(delivery.message))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the worker purges them after WEBHOOK_KEEP_DAYS

    def has_retry_permission(self, request):
        return request.user.has_perm(CHANGE_ENDPOINTS)

    @admin.action(description="Try the selected deliveries again now", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = queryset.exclude(state=WebhookDelivery.State.DELIVERED).update(
            state=PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(
            request, f"{count} deliver{pluralize(count, 'y,ies')} due again.", messages.SUCCESS
        )
