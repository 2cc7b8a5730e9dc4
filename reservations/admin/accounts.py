"""Accounts: names by reservations/users.py's rules, deactivated (releasing their holds), never
deleted."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import pluralize

from .. import users
from ..accounts.email_verification import verification_end
from ..accounts.registrations import with_registered_near
from .staff_changes import StaffChanges


def _clean_username(form) -> str:
    name = users.username_validate(form.cleaned_data["username"])
    if users.username_taken(name, exclude_pk=form.instance.pk):
        raise forms.ValidationError("That username is taken.")
    return name


class AccountCreationForm(AdminUserCreationForm):
    clean_username = _clean_username


class AccountChangeForm(UserChangeForm):
    clean_username = _clean_username


class RegisteredNearFilter(admin.SimpleListFilter):
    title = "accounts from its address within the hour"
    parameter_name = "registered_near"
    AT_LEAST = (2, 5, 20)

    def lookups(self, request, model_admin):
        return [(str(n), f"{n} or more") for n in self.AT_LEAST]

    def queryset(self, request, queryset):
        if self.value() in {str(n) for n in self.AT_LEAST}:
            return queryset.filter(registered_near__gte=int(self.value()))
        return queryset


_GUARDED = "Only a superuser deactivates a superuser or their own account."


def _guarded(users, request) -> list:
    """The users only a superuser may end: superusers (an operator locked out of their own
    site) and the one asking (who could not undo it)."""
    if request.user.is_superuser:
        return []
    return [user for user in users if user.is_superuser or user.pk == request.user.pk]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(StaffChanges, UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    actions = ["deactivate_selected"]
    list_display = (*UserAdmin.list_display, "registered_from", "registered_near")
    list_filter = (*UserAdmin.list_filter, RegisteredNearFilter)

    def get_queryset(self, request):
        return with_registered_near(super().get_queryset(request).select_related("account"))

    @admin.display(description="registered from", ordering="account__registered_from")
    def registered_from(self, obj):
        account = getattr(obj, "account", None)
        return account.registered_from if account else ""

    @admin.display(
        description="accounts from that address within the hour", ordering="registered_near"
    )
    def registered_near(self, obj):
        return obj.registered_near

    def has_delete_permission(self, request, obj=None):
        return False  # deleting would strand the account's holds and bookings: deactivate it

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        saved = type(obj).objects.filter(pk=obj.pk)  # not the form's: it may unset is_superuser
        if deactivating and _guarded(saved, request):
            raise PermissionDenied(_GUARDED)
        if deactivating:
            obj.is_active = True  # the service ends it, with its holds, under its row lock
        super().save_model(request, obj, form, change)
        if change and "email" in form.changed_data:
            verification_end(user_id=obj.pk, unless_email=obj.email)
        if deactivating:
            users.user_deactivate(user=obj)

    @admin.action(
        description="Deactivate the selected users (releases their holds)",
        permissions=["change"],
    )
    def deactivate_selected(self, request, queryset):
        if guarded := _guarded(queryset, request):
            names = ", ".join(sorted(user.get_username() for user in guarded))
            self.message_user(
                request, f"{_GUARDED} Nobody was deactivated ({names}).", messages.ERROR
            )
            return
        active = list(queryset.filter(is_active=True))
        for user in active:
            users.user_deactivate(user=user)
        n, inactive = len(active), queryset.count() - len(active)
        message = f"{n} user{pluralize(n)} deactivated, their holds released"
        if inactive:
            message += f"; {inactive} {pluralize(inactive, 'was,were')} inactive already"
        self.message_user(request, f"{message}.", messages.SUCCESS)
