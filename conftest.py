"""The root conftest: loads the acceptance runner, the report plugin and the step definitions."""

pytest_plugins = [
    "pytester",
    "steps.runner",
    "reporting.pytest_plugin",
    "steps.outcomes",
    "steps.customers",
    "steps.accounts",
    "steps.market",
    "steps.orders",
    "steps.payments",
    "steps.lists",
    "steps.notifications",
    "steps.idempotency",
    "steps.resilience",
    "steps.security",
]
