import json

from django.core.management.base import BaseCommand

from apps.core.health import health_report


class Command(BaseCommand):
    help = "Check every configured dependency, as /api/health/ does. Exit code 0 if all are up, 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, **options):
        healthy, report = health_report()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            for name, check in report["checks"].items():
                line = f"{name:<14} {check['status']:<5} {check['latency_ms']:>8.2f} ms  {check['backend']}"
                if "error" in check:
                    line += f"  ({check['error']})"
                self.stdout.write(
                    self.style.SUCCESS(line) if check["status"] == "ok" else self.style.ERROR(line)
                )
        if not healthy:
            self.stderr.write(
                "Some dependencies are down: check their URLs in the environment (see .env.example)."
            )
            raise SystemExit(1)
