"""The root conftest: loads the acceptance runner and the shared step definitions."""

pytest_plugins = [
    "pytester",
    "steps.runner",
    "steps.outcomes",
    "steps.customers",
    "steps.accounts",
    "steps.market",
    "steps.orders",
    "steps.payments",
    "steps.lists",
    "steps.notifications",
]
