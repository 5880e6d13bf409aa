import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_VARIABLE = "EDITOR_PASSWORD"


def make_editor(username: str, password: str | None, email: str = "") -> bool:
    """Create (or promote) a staff account in the Editors group; True if it was created."""
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=User.normalize_username(username), defaults={"email": email}
        )
        if password is not None:
            password_validation.validate_password(password, user)
            user.set_password(password)
        elif created:
            raise ValidationError("A new editor needs a password.")
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name="Editors"))
    return created


class Command(BaseCommand):
    help = (
        "Create an editor (staff, in the Editors group), or make an existing user one. "
        f"The password is asked for, or read from ${PASSWORD_VARIABLE} with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_false", dest="interactive")

    def handle(self, *args, username, email, interactive, **options):
        password = self._password(interactive)
        try:
            created = make_editor(username, password, email)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        action = "Created" if created else "Updated"
        self.stdout.write(f"{action} editor “{username}”: staff, in the Editors group.")

    def _password(self, interactive: bool) -> str | None:
        if not interactive:
            return os.environ.get(PASSWORD_VARIABLE) or None
        first = getpass.getpass("Password (empty keeps an existing one): ")
        if first and getpass.getpass("Password again: ") != first:
            raise CommandError("The two passwords differ.")
        return first or None
