"""The organiser's roles for tests: a staff account in a group of migration 0019."""

from reservations.roles import role_group

from .conftest import bearer_client
from .factories import UserFactory


def staff_in(role: str, username: str | None = None):
    user = UserFactory(username=username or role.lower().replace(" ", "_"))
    user.groups.add(role_group(role))
    return user


def staff_api(role: str, username: str | None = None):
    return bearer_client(staff_in(role, username))
