"""Typed, validated settings from the environment and ``.env`` files; secrets never shown.

Sources, highest priority first: real environment variables, ``.env.<ENVIRONMENT>``,
``.env``, then the defaults below. An empty value means unset. Every variable is documented
in ``docs/framework.md``; every wrong one is one ``ConfigurationError`` line naming it.
"""

from __future__ import annotations

import io
import os
import re
import ssl
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import Field, FilePath, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from framework.errors import ConfigurationError

_URL_USERINFO = re.compile(r"^([a-z]+://)[^/@]+@", re.IGNORECASE)

#: What a name given to ``ENVIRONMENT`` may look like (it names the file ``.env.<name>``).
_ENVIRONMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

#: Seconds: the longest connect timeout accepted (a TCP handshake that takes longer is gone).
MAX_CONNECT_TIMEOUT = 120.0
#: Seconds: the longest read timeout, backoff bound or ``Retry-After`` honoured.
MAX_WAIT = 300.0
#: Seconds: the longest deadline of one request, retries and waits included.
MAX_DEADLINE = 600.0


def _seconds(default: float, *, most: float, zero: bool = False) -> Any:
    """A field of seconds, finite, bounded above, above zero unless ``zero`` allows it."""
    return Field(
        default=default,
        allow_inf_nan=False,
        le=most,
        ge=0 if zero else None,
        gt=None if zero else 0,
        description=f"seconds, {'at least 0' if zero else 'more than 0'} and at most {most:g}",
    )


class Settings(BaseSettings):
    """The framework's settings; construct with ``load_settings()``. Frozen."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="ignore",
        case_sensitive=False,
        env_file_encoding="utf-8",
        env_ignore_empty=True,
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
    api_connect_timeout: float = _seconds(5.0, most=MAX_CONNECT_TIMEOUT)
    api_read_timeout: float = _seconds(30.0, most=MAX_WAIT)
    api_pool_size: int = Field(
        default=10,
        ge=0,
        le=1000,
        description="an integer in 0..1000 (0: a new connection for every request)",
    )
    api_max_attempts: int = Field(default=6, ge=1, le=20, description="an integer in 1..20")
    api_deadline: float = _seconds(60.0, most=MAX_DEADLINE)
    api_backoff_base: float = _seconds(0.25, most=MAX_WAIT, zero=True)
    api_backoff_max: float = _seconds(8.0, most=MAX_WAIT, zero=True)
    api_retry_after_cap: float = _seconds(30.0, most=MAX_WAIT, zero=True)
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
        if (self.api_username is None) != (self.api_password is None):
            given, missing = (
                ("API_USERNAME", "API_PASSWORD")
                if self.api_password is None
                else ("API_PASSWORD", "API_USERNAME")
            )
            raise ConfigurationError(
                f"{given} is set but {missing} is not: a pre-provisioned customer needs both "
                "(set both, or neither)"
            )

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "expected no user name or password in it: the API is signed in to with "
                "bearer tokens (API_USERNAME and API_PASSWORD name a pre-provisioned customer)"
            )
        return value.strip().rstrip("/")

    @field_validator("api_ca_bundle")
    @classmethod
    def _check_ca_bundle(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                ssl.create_default_context(cafile=value)
            except (ssl.SSLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or type(exc).__name__
                raise ValueError(
                    f"expected a PEM file of CA certificates; OpenSSL cannot load it ({reason})"
                ) from None
        return value

    @field_validator("environment")
    @classmethod
    def _check_environment(cls, value: str | None) -> str | None:
        if value is not None and not _ENVIRONMENT_NAME.match(value):
            raise ValueError("not a plain name")
        return value or None

    @field_validator("api_username", "api_password", "api_secrets", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

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
        expected = f"expected {info.description if info is not None else 'a valid value'}"
        reason = str(error.get("ctx", {}).get("error", ""))
        if error["type"] == "value_error" and reason.startswith("expected"):
            expected = reason
        value = error.get("input")
        if name == "api_url" and isinstance(value, str):
            value = _URL_USERINFO.sub(r"\1[REDACTED]@", value)
        given = "(hidden)" if name in _SECRET_FIELDS else repr(value)
        problems.append(f"{name.upper()}={given} is invalid: {expected}")
    return ConfigurationError("; ".join(problems))


def check_env_files(files: Sequence[Path]) -> None:
    """Refuse, naming the file and the line, an env file that is not UTF-8 ``NAME=value`` lines.

    python-dotenv skips a line it cannot parse without a word, and a file that is not
    UTF-8 ends in a traceback; either would leave a setting silently at its default.
    A line is never quoted back: it may hold a secret.
    """
    for path in files:
        if not path.exists():
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"{path} cannot be read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise ConfigurationError(
                f"{path}, line {line}: not UTF-8 (byte {raw[exc.start]:#04x}); "
                "save the file as UTF-8"
            ) from None
        for binding in parse_stream(io.StringIO(text)):
            if binding.error:
                original = binding.original  # its text may start with the blank lines before it
                leading = len(original.string) - len(original.string.lstrip("\n"))
                raise ConfigurationError(
                    f"{path}, line {original.line + leading}: cannot be read as "
                    "NAME=value (a space instead of '=', or a quote left open?)"
                )


def env_files(folder: Path, environment: str | None) -> list[Path]:
    """``.env`` and, for an environment name, ``.env.<name>`` (which must exist), checked."""
    files = [folder / ".env"]
    if environment is not None:
        if not _ENVIRONMENT_NAME.match(environment):
            raise ConfigurationError(
                f"ENVIRONMENT={environment!r} is invalid: expected a plain name such as staging"
            )
        named = folder / f".env.{environment}"
        if not named.is_file():
            raise ConfigurationError(
                f"ENVIRONMENT={environment!r} is invalid: expected a file {named}, "
                "which does not exist"
            )
        files.append(named)
    check_env_files(files)
    return files


def source_of(variable: str, *, root: Path | None = None) -> str | None:
    """Where a variable's value comes from, as the settings read it: ``the environment``,
    ``.env.<name>`` or ``.env`` (a file's name as written), or ``None`` when it is unset.

    The same order as :func:`load_settings`: the real environment, then ``.env.<ENVIRONMENT>``,
    then ``.env``; an empty value means unset. The files are assumed checked already.
    """
    if _value(os.environ, variable):
        return "the environment"
    folder = root or Path.cwd()
    base = folder / ".env"
    name = os.environ.get("ENVIRONMENT") or None
    if name is None and base.is_file():
        name = dotenv_values(base).get("ENVIRONMENT") or None
    files = [folder / f".env.{name}"] if name is not None else []
    for path in [*files, base]:
        if path.is_file() and _value(dotenv_values(path), variable):
            return path.name
    return None


def _value(values: Mapping[str, str | None], variable: str) -> str | None:
    """A variable's non-empty value, its name matched regardless of case (as the settings do)."""
    return next(
        (value for name, value in values.items() if name.upper() == variable and value), None
    )


def load_settings(environment: str | None = None, *, root: Path | None = None) -> Settings:
    """Read ``.env`` then ``.env.<environment>`` (from ``root``, default the current folder).

    ``environment`` defaults to ``ENVIRONMENT`` from the real environment, then from ``.env``.
    The real environment always wins over both files.
    """
    folder = root or Path.cwd()
    base = folder / ".env"
    check_env_files([base])
    name = environment or os.environ.get("ENVIRONMENT") or None
    if name is None and base.is_file():
        name = dotenv_values(base).get("ENVIRONMENT") or None
    return Settings(_env_file=tuple(env_files(folder, name)), environment=name)
