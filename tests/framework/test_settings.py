"""Settings: sources and their priority, validation messages, secrets kept out of sight."""

from __future__ import annotations

from pathlib import Path

import pytest

from framework.errors import ConfigurationError
from framework.settings import Settings, load_settings, source_of

VARIABLES = [
    "ENVIRONMENT",
    "API_URL",
    "API_READ_TIMEOUT",
    "API_CONNECT_TIMEOUT",
    "API_DEADLINE",
    "API_RETRY_AFTER_CAP",
    "API_POOL_SIZE",
    "API_USERNAME",
    "API_PASSWORD",
    "API_SECRETS",
    "API_CA_BUNDLE",
    "API_MAX_ATTEMPTS",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_mean_use_the_sandbox(tmp_path: Path) -> None:
    settings = load_settings(root=tmp_path)
    assert settings.api_url is None
    assert settings.api_max_attempts == 6
    assert settings.api_retry_server_errors is False
    assert settings.api_redaction is True


def test_named_file_overrides_dot_env_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("API_URL=http://base:1\nAPI_POOL_SIZE=3\nAPI_READ_TIMEOUT=9\n")
    (tmp_path / ".env.staging").write_text("API_URL=https://staging.test/\nAPI_POOL_SIZE=5\n")
    monkeypatch.setenv("API_POOL_SIZE", "7")
    settings = load_settings("staging", root=tmp_path)
    assert settings.api_url == "https://staging.test"
    assert settings.api_pool_size == 7
    assert settings.api_read_timeout == 9.0
    assert settings.environment == "staging"


def test_environment_may_be_named_in_dot_env(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ENVIRONMENT=ci\n")
    (tmp_path / ".env.ci").write_text("API_URL=http://ci:8000\n")
    assert load_settings(root=tmp_path).api_url == "http://ci:8000"


def test_a_missing_environment_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"ENVIRONMENT='prod' is invalid: expected a file .*\.env\.prod"
    ):
        load_settings("prod", root=tmp_path)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("API_READ_TIMEOUT", "abc", "API_READ_TIMEOUT='abc' is invalid: expected seconds, more"),
        ("API_READ_TIMEOUT", "0", "API_READ_TIMEOUT='0' is invalid: expected seconds, more"),
        ("API_READ_TIMEOUT", "inf", "API_READ_TIMEOUT='inf' is invalid: expected seconds, more"),
        ("API_READ_TIMEOUT", "1e9", "API_READ_TIMEOUT='1e9' is invalid: expected seconds, more "),
        ("API_CONNECT_TIMEOUT", "121", "API_CONNECT_TIMEOUT='121' is invalid: expected seconds"),
        ("API_DEADLINE", "nan", "API_DEADLINE='nan' is invalid: expected seconds, more than 0 "),
        ("API_DEADLINE", "601", "API_DEADLINE='601' is invalid: expected seconds, more than 0 "),
        ("API_RETRY_AFTER_CAP", "-1", "API_RETRY_AFTER_CAP='-1' is invalid: expected seconds, at"),
        ("API_POOL_SIZE", "many", "API_POOL_SIZE='many' is invalid: expected an integer in"),
        ("API_URL", "localhost:8000", "API_URL='localhost:8000' is invalid: expected an http(s)"),
        ("API_MAX_ATTEMPTS", "0", "API_MAX_ATTEMPTS='0' is invalid: expected an integer in 1..20"),
        ("API_CA_BUNDLE", "/no/such.pem", "API_CA_BUNDLE='/no/such.pem' is invalid: expected"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(root=tmp_path)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_timeouts_and_deadlines_have_upper_bounds_stated_in_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_READ_TIMEOUT", "300")
    monkeypatch.setenv("API_DEADLINE", "600")
    settings = load_settings(root=tmp_path)
    assert (settings.api_read_timeout, settings.api_deadline) == (300.0, 600.0)
    monkeypatch.setenv("API_READ_TIMEOUT", "300.5")
    with pytest.raises(ConfigurationError, match=r"expected seconds, more than 0 and at most 300$"):
        load_settings(root=tmp_path)


@pytest.mark.parametrize(
    ("content", "line", "why"),
    [
        (b"API_URL=http://h:1\nAPI_MAX_ATTEMPTS 3\n", 2, "cannot be read as NAME=value"),
        (b"# a comment\n\n\nAPI_SECRETS='open\nAPI_POOL_SIZE=2\n", 4, "cannot be read as"),
        (b"API_POOL_SIZE=2\nAPI_URL=http://caf\xe9.test\n", 2, "not UTF-8 (byte 0xe9)"),
    ],
)
def test_an_env_file_that_cannot_be_read_is_named_with_its_line(
    tmp_path: Path, content: bytes, line: int, why: str
) -> None:
    (tmp_path / ".env").write_bytes(content)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(root=tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / '.env'}, line {line}: {why}")
    assert "\n" not in str(caught.value)


def test_a_line_that_cannot_be_read_is_never_quoted_back(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("API_PASSWORD hunter2hunter2\n")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(root=tmp_path)
    assert "hunter2hunter2" not in str(caught.value)


def test_the_named_environment_file_is_checked_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ENVIRONMENT=staging\n")
    (tmp_path / ".env.staging").write_text("API_URL http://h\n")
    with pytest.raises(ConfigurationError, match=r"\.env\.staging, line 1: cannot be read"):
        load_settings(root=tmp_path)


def test_user_information_in_the_url_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_URL", "https://al:hunter2hunter2@api.example.test/v1")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(root=tmp_path)
    message = str(caught.value)
    assert message.startswith(
        "API_URL='https://[REDACTED]@api.example.test/v1' is invalid: expected no user name or "
        "password in it"
    )
    assert "hunter2hunter2" not in message
    assert "al:" not in message


@pytest.mark.parametrize("given", ["API_USERNAME", "API_PASSWORD"])
def test_half_a_credential_pair_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv(given, "hunter2hunter2")
    with pytest.raises(ConfigurationError, match=rf"^{given} is set but API_\w+ is not") as caught:
        load_settings(root=tmp_path)
    assert "hunter2hunter2" not in str(caught.value)


def test_an_empty_value_means_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_USERNAME", "")
    monkeypatch.setenv("API_PASSWORD", "")
    monkeypatch.setenv("API_READ_TIMEOUT", "")
    (tmp_path / ".env").write_text("API_URL=\nAPI_POOL_SIZE=\n")
    settings = load_settings(root=tmp_path)
    assert (settings.api_username, settings.api_password, settings.api_url) == (None, None, None)
    assert (settings.api_read_timeout, settings.api_pool_size) == (30.0, 10)


def test_the_ca_bundle_is_checked_when_settings_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    monkeypatch.setenv("API_CA_BUNDLE", str(bundle))
    with pytest.raises(ConfigurationError) as caught:
        load_settings(root=tmp_path)
    assert str(caught.value).startswith(
        f"API_CA_BUNDLE={str(bundle)!r} is invalid: expected a PEM file of CA certificates"
    )


def test_secrets_never_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_USERNAME", "al")
    monkeypatch.setenv("API_PASSWORD", "hunter2hunter2")
    monkeypatch.setenv("API_SECRETS", "first-secret, second-secret")
    settings = load_settings(root=tmp_path)
    assert "hunter2hunter2" not in repr(settings) + str(settings)
    assert settings.literal_secrets() == ["hunter2hunter2", "first-secret", "second-secret"]


def test_credentials_in_a_wrong_url_are_not_echoed() -> None:
    with pytest.raises(ConfigurationError, match=r"^API_URL='ftp://\[REDACTED\]@h' is invalid"):
        Settings(api_url="ftp://al:hunter2hunter2@h")


def test_a_wrong_secret_value_is_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings(api_username="al", api_password=12345)
    assert "12345" not in str(caught.value)
    assert "API_PASSWORD=(hidden)" in str(caught.value)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.api_pool_size = 3  # type: ignore[misc]


def test_the_source_of_a_setting_is_where_the_settings_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert source_of("API_URL", root=tmp_path) is None
    (tmp_path / ".env").write_text("API_URL=http://base:1\nENVIRONMENT=ci\nAPI_SECRETS=\n")
    assert source_of("API_URL", root=tmp_path) == ".env"
    assert source_of("API_SECRETS", root=tmp_path) is None
    (tmp_path / ".env.ci").write_text("api_url=http://ci:8000\n")
    assert source_of("API_URL", root=tmp_path) == ".env.ci"
    monkeypatch.setenv("API_URL", "http://mine:2")
    assert source_of("API_URL", root=tmp_path) == "the environment"
