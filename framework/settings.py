"""Typed, validated settings from the environment and ``.env`` files; secrets never shown.

Sources, highest priority first: real environment variables, ``.env.<ENVIRONMENT>``,
``.env``, then the defaults below. Every variable is documented in ``docs/framework.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import Field, FilePath, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from framework.errors import ConfigurationError

_URL_USERINFO = re.compile(r"^([a-z]+://)[^/@]+@", re.IGNORECASE)

#: What a name given to ``ENVIRONMENT`` may look like (it names the file ``.env.<name>``).
_ENVIRONMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Settings(BaseSettings):
    """The framework's settings; construct with ``load_settings()``. Frozen."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", case_sensitive=False, env_file_encoding="utf-8"
    )

    environment: str | None = Field(
        default=None, description="a name such that .env.<name> exists, e.g. staging"
    )
    api_url: str | None = Field(
        default=None, description="an http(s)://host[:port][/path] URL, or unset for the sandbox"
    )
    api_ca_bundle: FilePath | None = Field(
        default=None, description="the path of an existing PEM file of CA certificates"
    )
    api_connect_timeout: float = Field(default=5.0, gt=0, description="seconds > 0")
    api_read_timeout: float = Field(default=30.0, gt=0, description="seconds > 0")
    api_pool_size: int = Field(
        default=10,
        ge=0,
        le=1000,
        description="an integer in 0..1000 (0: a new connection for every request)",
    )
    api_max_attempts: int = Field(default=6, ge=1, le=20, description="an integer in 1..20")
    api_deadline: float = Field(default=60.0, gt=0, description="seconds > 0")
    api_backoff_base: float = Field(default=0.25, ge=0, description="seconds >= 0")
    api_backoff_max: float = Field(default=8.0, ge=0, description="seconds >= 0")
    api_retry_after_cap: float = Field(default=30.0, ge=0, description="seconds >= 0")
    api_retry_server_errors: bool = Field(default=False, description="true or false")
    api_redaction: bool = Field(default=True, description="true or false")
    api_username: str | None = Field(default=None, description="a username")
    api_password: SecretStr | None = Field(default=None, description="a password")
    api_secrets: SecretStr | None = Field(
        default=None, description="comma-separated literal secrets to redact"
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _configuration_error(exc) from None

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        return value.strip().rstrip("/")

    @field_validator("environment")
    @classmethod
    def _check_environment(cls, value: str | None) -> str | None:
        if value is not None and not _ENVIRONMENT_NAME.match(value):
            raise ValueError("not a plain name")
        return value or None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Fields as ``repr`` and ``str`` show them: a URL's user information is hidden."""
        for name, value in super().__repr_args__():
            if name == "api_url" and isinstance(value, str):
                value = _URL_USERINFO.sub(r"\1[REDACTED]@", value)
            yield name, value

    def literal_secrets(self) -> list[str]:
        """The configured secret values, for the redactor."""
        found = [self.api_password.get_secret_value()] if self.api_password else []
        if self.api_secrets is not None:
            found += [s.strip() for s in self.api_secrets.get_secret_value().split(",")]
        return [secret for secret in found if secret]


_SECRET_FIELDS = frozenset(
    name for name, info in Settings.model_fields.items() if info.annotation == SecretStr | None
)


def _configuration_error(exc: ValidationError) -> ConfigurationError:
    """One line per problem, naming the variable, what was given and what is expected."""
    problems = []
    for error in exc.errors(include_url=False):
        name = str(error["loc"][0]) if error["loc"] else "?"
        info = Settings.model_fields.get(name)
        expected = info.description if info is not None else "a valid value"
        value = error.get("input")
        if name == "api_url" and isinstance(value, str):
            value = _URL_USERINFO.sub(r"\1[REDACTED]@", value)
        given = "(hidden)" if name in _SECRET_FIELDS else repr(value)
        problems.append(f"{name.upper()}={given} is invalid: expected {expected}")
    return ConfigurationError("; ".join(problems))


def load_settings(environment: str | None = None, *, root: Path | None = None) -> Settings:
    """Read ``.env`` then ``.env.<environment>`` (from ``root``, default the current folder).

    ``environment`` defaults to ``ENVIRONMENT`` from the real environment, then from ``.env``.
    The real environment always wins over both files.
    """
    folder = root or Path.cwd()
    base = folder / ".env"
    name = environment or os.environ.get("ENVIRONMENT")
    if name is None and base.is_file():
        name = dotenv_values(base).get("ENVIRONMENT") or None
    files: list[Path] = [base]
    if name is not None:
        if not _ENVIRONMENT_NAME.match(name):
            raise ConfigurationError(
                f"ENVIRONMENT={name!r} is invalid: expected a plain name such as staging"
            )
        named = folder / f".env.{name}"
        if not named.is_file():
            raise ConfigurationError(
                f"ENVIRONMENT={name!r} is invalid: expected a file {named}, which does not exist"
            )
        files.append(named)
    return Settings(_env_file=tuple(files), environment=name)
