"""The suite's own settings (``SUITE_*``), read from the same places as the framework's."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from framework.errors import ConfigurationError
from framework.settings import Settings, env_files

#: Seconds: the longest time budget a scenario may be given.
MAX_SCENARIO_TIMEOUT = 3600.0


class SuiteSettings(BaseSettings):
    """What the suite may do on the target. Frozen; construct with ``load_suite_settings``.

    ``open_accounts`` (``SUITE_OPEN_ACCOUNTS``, default true): whether scenarios may open
    accounts of their own. Set it to false for a deployment where they may not: then only
    the ``@smoke`` set runs, as the pre-provisioned customer ``API_USERNAME``.

    ``scenario_timeout`` (``SUITE_SCENARIO_TIMEOUT``, default 60): a scenario's time budget,
    in seconds. Its requests must end within it, counted from the scenario's start (each
    request's deadline is cut to what is left); pytest-timeout fails the scenario as hung
    only a fixed grace after it, so the client's report of a hanging API always comes first.
    """

    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",
        env_prefix="SUITE_",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
    )

    open_accounts: bool = Field(default=True, description="true or false")
    scenario_timeout: float = Field(
        default=60.0,
        gt=0,
        le=MAX_SCENARIO_TIMEOUT,
        allow_inf_nan=False,
        description=f"seconds, more than 0 and at most {MAX_SCENARIO_TIMEOUT:g}",
    )


def load_suite_settings(
    framework: Settings, *, root: Path | None = None, customer_required: bool = True
) -> SuiteSettings:
    """Read ``SUITE_*`` from the environment, ``.env`` and ``.env.<ENVIRONMENT>``.

    A wrong value is one ``ConfigurationError`` line naming the variable; so is
    ``SUITE_OPEN_ACCOUNTS=false`` without a pre-provisioned customer, unless
    ``customer_required`` is false (a tool that takes its customers from elsewhere).
    """
    files = env_files(root or Path.cwd(), framework.environment)
    try:
        suite = SuiteSettings(_env_file=tuple(files))
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        name = str(problem["loc"][0])
        expected = SuiteSettings.model_fields[name].description
        raise ConfigurationError(
            f"SUITE_{name.upper()}={problem.get('input')!r} is invalid: expected {expected}"
        ) from None
    customer = framework.api_username and framework.api_password
    if customer_required and not suite.open_accounts and not customer:
        raise ConfigurationError(
            "SUITE_OPEN_ACCOUNTS=false needs a pre-provisioned customer: "
            "set API_USERNAME and API_PASSWORD"
        )
    return suite
