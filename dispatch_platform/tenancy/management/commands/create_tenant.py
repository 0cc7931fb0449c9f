from django.core.management.base import BaseCommand, CommandError

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.services import organization_create


class Command(BaseCommand):
    help = "Creates a tenant (organization)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default="America/New_York")

    def handle(self, *args, slug, name, timezone, **options):
        try:
            org = organization_create(slug=slug, name=name, default_timezone=timezone)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}: {exc.extra}")
        self.stdout.write(f"Created organization {org.slug} ({org.name})")
