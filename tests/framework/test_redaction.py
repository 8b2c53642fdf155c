"""Redaction, table-driven: every place a secret can hide, and every form it can take."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, event, example, given
from hypothesis import strategies as st

from framework.redaction import (
    INDEX_THRESHOLD,
    MIN_SECRET_LENGTH,
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


def test_a_document_nested_deeper_than_python_recurses_is_still_read() -> None:
    depth = 50_000
    text = '{"company": ' + "[" * depth + '{"password": "hunter22"}' + "]" * depth + "}"
    redacted = Redactor().body(text, "application/json")
    assert redacted == text.replace('"hunter22"', f'"{REDACTED}"')


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


# Property tests: JSON documents of any shape, written out by the test itself so that it
# controls every character (numbers keep their text: 150.10 is not 150.1).


@dataclass(frozen=True)
class Number:
    """A JSON number as written."""

    text: str


@dataclass(frozen=True)
class Members:
    """A JSON object as written: members in order, duplicate names allowed."""

    pairs: tuple[tuple[str, Any], ...]


#: JSON numbers of every shape: signs, fractions, exponents, more digits than a float keeps.
NUMBERS = st.from_regex(
    r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
).map(Number)

#: Text that nothing around it makes a secret: no "name=value" pair (=), no user information
#: in a URL (@), no "Bearer …" or "Basic …" credentials; text that UTF-8 can encode.
PLAIN_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="=@")).filter(
    lambda text: "bearer" not in text.lower() and "basic" not in text.lower()
)
#: Names that contain a secret key's word without being one.
NEAR_MISSES = (
    "company",
    "monkey",
    "token_type",
    "key_id",
    "account_number",
    "password_hint",
    "secretary",
)
PLAIN_NAMES = st.one_of(
    PLAIN_TEXT.filter(lambda name: not is_secret_key(name)), st.sampled_from(NEAR_MISSES)
)


@st.composite
def secret_names(draw: st.DrawFn) -> str:
    """A secret key spelt any way: any case, "_", "-" or nothing between its words."""
    words = draw(st.sampled_from(sorted(SECRET_KEYS))).split("_")
    name = words[0]
    for word in words[1:]:
        name += draw(st.sampled_from(["_", "-", ""])) + word
    return "".join(char.upper() if draw(st.booleans()) else char for char in name)


SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, PLAIN_TEXT)


def documents(names: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Any JSON document, any nesting, its member names drawn from ``names``."""
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=5),
            st.lists(st.tuples(names, inner), max_size=5).map(lambda pairs: Members(tuple(pairs))),
        ),
        max_leaves=30,
    )


@dataclass(frozen=True)
class Layout:
    """How a document is written: the spacing between its tokens, non-ASCII escaped or not."""

    space: str
    ascii_only: bool


LAYOUTS = st.builds(Layout, st.text(alphabet=" \t\r\n", max_size=3), st.booleans())


def write(value: Any, layout: Layout) -> str:
    """The JSON text of a document, written as ``layout`` says."""
    gap = layout.space
    if isinstance(value, Number):
        return value.text
    if isinstance(value, Members):
        members = [
            f"{write(name, layout)}{gap}:{gap}{write(item, layout)}" for name, item in value.pairs
        ]
        return "{" + gap + f"{gap},{gap}".join(members) + gap + "}"
    if isinstance(value, list):
        return "[" + gap + f"{gap},{gap}".join(write(item, layout) for item in value) + gap + "]"
    return json.dumps(value, ensure_ascii=layout.ascii_only)


def masked(value: Any) -> Any:
    """The document with the value of every secret-named member replaced, nothing else."""
    if isinstance(value, Members):
        return Members(
            tuple(
                (name, REDACTED if is_secret_key(name) else masked(item))
                for name, item in value.pairs
            )
        )
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def secret_fields(value: Any) -> int:
    """How many secret-named members a document has (outside secret values)."""
    if isinstance(value, Members):
        return sum(1 if is_secret_key(name) else secret_fields(item) for name, item in value.pairs)
    if isinstance(value, list):
        return sum(secret_fields(item) for item in value)
    return 0


ISSUE_EXAMPLE = Members(
    (("company", Number("150.10")), ("account_number", Number("12345678901234567.89")))
)


@given(documents(PLAIN_NAMES), LAYOUTS)
@example(ISSUE_EXAMPLE, Layout(space=" ", ascii_only=False))
def test_a_document_without_secrets_is_kept_character_for_character(
    document: Any, layout: Layout
) -> None:
    text = write(document, layout)
    assert Redactor().body(text, "application/json") == text
    assert Redactor(["s3cr3t-never-sent"]).body(text.encode(), None) == text


NAMES = st.one_of(PLAIN_NAMES, secret_names())


@st.composite
def documents_with_secrets(draw: st.DrawFn) -> Any:
    """Any document holding at least one secret-named member, at any depth."""
    pairs = draw(st.lists(st.tuples(NAMES, documents(NAMES)), max_size=4))
    pairs.insert(draw(st.integers(0, len(pairs))), (draw(secret_names()), draw(documents(NAMES))))
    document: Any = Members(tuple(pairs))
    for _ in range(draw(st.integers(0, 3))):
        document = [document] if draw(st.booleans()) else Members(((draw(PLAIN_NAMES), document),))
    return document


@given(documents_with_secrets(), LAYOUTS)
@example(
    Members((("password", Number("150.10")), ("company", Number("1E400")))),
    Layout(space="", ascii_only=True),
)
def test_only_the_values_of_secret_fields_change(document: Any, layout: Layout) -> None:
    event("secret fields: " + ("1" if secret_fields(document) == 1 else "2 or more"))
    redacted = Redactor().body(write(document, layout), "application/json")
    assert redacted == write(masked(document), layout)


@given(secret_names(), NUMBERS)
def test_a_secret_number_is_learned_as_written(name: str, number: Number) -> None:
    assume(len(number.text) >= MIN_SECRET_LENGTH)
    redactor = Redactor()
    redactor.learn_from_body(f'{{"a": [], "{name}": {number.text}}}'.encode())
    assert redactor.text(f"resent {number.text} here") == f"resent {REDACTED} here"


@given(st.text(), st.data())
def test_any_text_is_redacted_without_an_exception(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)))
    text = text[:at] + "s3cr3t-value" + text[at:]
    redactor = Redactor(["s3cr3t-value"])
    for content_type in ("application/json", None):
        redacted = redactor.body(text, content_type)
        assert redacted is not None
        assert "s3cr3t-value" not in redacted
    redactor.learn_from_body(text.encode())


def _names_no_secret_key(text: str) -> bool:
    bare = text.lower().replace("_", "").replace("-", "")
    return not any(key.replace("_", "") in bare for key in SECRET_KEYS)


@given(PLAIN_TEXT.filter(_names_no_secret_key))
def test_text_without_secrets_is_kept(text: str) -> None:
    assert Redactor().body(text, "application/json") == text
