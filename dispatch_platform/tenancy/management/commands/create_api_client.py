from django.core.management.base import BaseCommand, CommandError

from dispatch_platform.common.exceptions import ApplicationError
from dispatch_platform.tenancy.models import Organization
from dispatch_platform.tenancy.services import api_client_create


class Command(BaseCommand):
    help = "Creates an API client for a tenant and prints its token once (only a hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--rate-limit", default="600/min")

    def handle(self, *args, slug, name, rate_limit, **options):
        org = Organization.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organization with slug '{slug}'")
        try:
            client, token = api_client_create(organization=org, name=name, rate_limit=rate_limit)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message}: {exc.extra}")
        self.stderr.write(f"API client '{client.name}' for {org.slug}. Store this token now; it is not shown again:")
        self.stdout.write(token)
