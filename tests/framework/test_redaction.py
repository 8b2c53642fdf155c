"""Redaction, table-driven: every place a secret can hide, and every form it can take."""

from __future__ import annotations

import base64
import json
import secrets
from urllib.parse import quote, quote_plus

import pytest

from framework.redaction import (
    INDEX_THRESHOLD,
    REDACTED,
    SECRET_HEADERS,
    SECRET_KEYS,
    Redactor,
    is_secret_key,
)

SECRET = "s3cr3t-Pa$$ word/+é"


@pytest.mark.parametrize("name", sorted(SECRET_HEADERS))
def test_secret_headers_are_masked(name: str) -> None:
    redacted = Redactor().headers({name: "opaque-value", "X-Trace": "kept"})
    assert redacted[name] == REDACTED
    assert redacted["X-Trace"] == "kept"


@pytest.mark.parametrize("name", ["Authorization", "Proxy-Authorization"])
def test_authorization_keeps_its_scheme(name: str) -> None:
    assert Redactor().headers({name: "Bearer abc.def"})[name] == f"Bearer {REDACTED}"


def test_header_names_match_without_case() -> None:
    assert Redactor().headers({"x-API-key": "k"}) == {"x-API-key": REDACTED}


@pytest.mark.parametrize("key", sorted(SECRET_KEYS))
def test_secret_json_fields_are_masked_at_any_depth(key: str) -> None:
    document = {"outer": [{key: "value-1234", "kept": "visible"}], key: 42}
    redacted = Redactor().json(document)
    assert redacted == {"outer": [{key: REDACTED, "kept": "visible"}], key: REDACTED}


@pytest.mark.parametrize("spelling", ["apiKey", "API-KEY", "Access-Token", "refreshToken"])
def test_key_spellings(spelling: str) -> None:
    assert is_secret_key(spelling)


@pytest.mark.parametrize("name", ["username", "token_type", "expires_in", "company", "key_id"])
def test_ordinary_fields_are_kept(name: str) -> None:
    assert not is_secret_key(name)
    assert Redactor().json({name: "x"}) == {name: "x"}


@pytest.mark.parametrize(
    ("location", "text"),
    [
        ("query parameter", "http://h/login?user=al&password=hunter22&x=1"),
        ("form body", "username=al&api_key=hunter22"),
        ("JSON text", '{"user": "al", "access_token": "hunter22"}'),
        ("JSON text, spaced", '{"Refresh-Token" :  "hunter22"}'),
        ("bearer credentials", "sent Authorization: Bearer hunter22 to the server"),
        ("basic credentials", "Authorization: basic hunter22"),
        ("user information", "connect to https://al:hunter22@example.test/path failed"),
    ],
)
def test_secrets_found_by_their_surroundings(location: str, text: str) -> None:
    redacted = Redactor().text(text)
    assert "hunter22" not in redacted, location
    assert REDACTED in redacted


def forms_of(secret: str) -> dict[str, str]:
    raw = secret.encode()
    return {
        "raw": secret,
        "url-encoded": quote(secret, safe=""),
        "url-encoded (plus)": quote_plus(secret),
        "JSON-escaped": json.dumps(secret)[1:-1],
        "base64": base64.b64encode(raw).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(raw).decode(),
        "base64 after 1 byte": base64.b64encode(b"u" + raw).decode(),
        "base64 after 2 bytes": base64.b64encode(b"us" + raw).decode(),
        "basic auth": base64.b64encode(b"alice:" + raw + b"!trailing").decode(),
    }


@pytest.mark.parametrize("form", list(forms_of(SECRET)))
def test_literal_secrets_are_masked_in_every_form(form: str) -> None:
    encoded = forms_of(SECRET)[form]
    redactor = Redactor([SECRET])
    redacted = redactor.text(f"before {encoded} after")
    assert redacted.startswith("before ")
    assert redacted.endswith(" after")
    assert REDACTED in redacted
    # Whatever is left of a base64 text no longer decodes to the secret.
    assert encoded not in redacted


def test_learned_secrets_are_masked_from_then_on() -> None:
    redactor = Redactor()
    assert redactor.text("token tok_abcdef") == "token tok_abcdef"
    redactor.learn("tok_abcdef")
    assert redactor.text("token tok_abcdef") == f"token {REDACTED}"


def test_learning_from_json_takes_secret_fields_only() -> None:
    redactor = Redactor()
    redactor.learn_from_json({"username": "alice", "creds": [{"password": "correct horse"}]})
    assert redactor.text("alice typed correct horse") == f"alice typed {REDACTED}"


def test_learning_from_a_raw_body_parses_only_when_a_secret_field_is_named() -> None:
    redactor = Redactor()
    redactor.learn_from_body(b'{"access_token": "eyJhbGciOi.payload.sig", "token_type": "bearer"}')
    redactor.learn_from_body(b'{"note": "public-value"}')
    redactor.learn_from_body(b"not json but password")
    assert redactor.text("eyJhbGciOi.payload.sig public-value") == f"{REDACTED} public-value"


def test_short_secrets_are_ignored() -> None:
    redactor = Redactor(["abc"])
    assert redactor.text("abcabc") == "abcabc"


def test_a_longer_secret_wins_over_its_prefix() -> None:
    redactor = Redactor(["secret-one", "secret-one-two"])
    assert redactor.text("x secret-one-two y") == f"x {REDACTED} y"


def test_hundreds_of_secrets_learned_between_redactions_are_all_still_found() -> None:
    redactor = Redactor()
    tokens = [secrets.token_urlsafe(24) for _ in range(500)]
    for token in tokens:
        redactor.learn(token)
        assert redactor.text(f"[{token}]") == f"[{REDACTED}]"
    for token in tokens[::7]:
        assert redactor.text(f"<{token}>") == f"<{REDACTED}>"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"password": "hunter22", "n": 1}', "application/json"),
        (b'{"password": "hunter22", "n": 1}', None),
        (b"password=hunter22&n=1", "application/x-www-form-urlencoded"),
        ('{"password": "hunter22"', "application/json"),  # broken JSON is still masked
    ],
)
def test_bodies(content: bytes | str, content_type: str | None) -> None:
    redacted = Redactor().body(content, content_type)
    assert redacted is not None
    assert "hunter22" not in redacted
    assert REDACTED in redacted


def test_exception_text_is_masked() -> None:
    redactor = Redactor(["tok_abcdef"])
    message = (
        "HTTPConnectionPool(host='h', port=1): Max retries exceeded with url: "
        "/x?token=qwerty123&id=tok_abcdef"
    )
    redacted = redactor.text(message)
    assert "qwerty123" not in redacted
    assert "tok_abcdef" not in redacted


def test_disabled_redactor_changes_nothing() -> None:
    redactor = Redactor(["hunter22"], enabled=False)
    assert redactor.text("password=hunter22") == "password=hunter22"
    assert redactor.headers({"Authorization": "Bearer x"}) == {"Authorization": "Bearer x"}


def test_repr_never_shows_a_secret() -> None:
    redactor = Redactor(["hunter22"])
    assert "hunter22" not in repr(redactor)


def test_header_values_are_redacted_even_with_line_breaks() -> None:
    redactor = Redactor(["hunter22"])
    redacted = redactor.headers({"X-A": "a\nhunter22", "X-B": "hunter22", "X-C": "c"})
    assert redacted == {"X-A": f"a\n{REDACTED}", "X-B": REDACTED, "X-C": "c"}


@pytest.mark.parametrize("form", list(forms_of(SECRET)))
def test_every_form_is_still_found_once_secrets_are_indexed(form: str) -> None:
    redactor = Redactor(["early pass word!"])
    for _ in range(INDEX_THRESHOLD):  # enough token-like strings to switch to the index
        redactor.learn(secrets.token_urlsafe(24))
    redactor.learn(SECRET)
    encoded = forms_of(SECRET)[form]
    redacted = redactor.text(f"before {encoded} after, early pass word! end")
    assert encoded not in redacted
    assert "early pass word!" not in redacted
    assert redacted.startswith("before ")
    assert redacted.endswith(" end")
