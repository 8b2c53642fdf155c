"""Health: whether the service is up, asked without signing in."""

from __future__ import annotations

from models.health import Health
from steps.domain.outcome import Outcome
from steps.domain.session import Resource


class HealthApi(Resource):
    """The health resource: anybody may ask."""

    def check(self) -> Outcome[Health]:
        """Whether the service is up, and the version it runs."""
        return self.call("health check", "GET", "/health", ok={200: Health}, authenticated=False)
