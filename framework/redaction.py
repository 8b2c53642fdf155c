"""The one choke point that removes secrets from anything shown to a person: a small pure module.

Four kinds of secrets are recognised:

* headers by name (``Authorization``, ``Cookie``, ``Set-Cookie``, ``X-API-Key``,
  ``Proxy-Authorization``);
* JSON fields, query parameters and form fields by name (``password``, ``secret``,
  ``token``, ``access_token``, ``refresh_token``, ``api_key``, card numbers …), whatever
  their case or separator (``apiKey``, ``API-KEY``);
* credentials after ``Bearer`` / ``Basic`` and user information in URLs;
* the literal values of secrets, configured or learned during the run, raw, URL-encoded,
  JSON-escaped and base64-encoded (at any alignment inside a longer base64 text).

Token-like literal values are found through a dictionary of their first characters, in
time that does not grow with their number; the others through prefix-trie regular
expressions in levels that merge like a binary counter (see ``_LiteralIndex``). A run that
learns thousands of tokens stays fast.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote, quote_plus

#: What a secret is replaced with.
REDACTED = "[REDACTED]"

#: Literal secrets shorter than this (characters) are ignored: they would match everywhere.
MIN_SECRET_LENGTH = 4

#: Shortest base64 fragment of a secret that is matched (characters).
MIN_BASE64_FRAGMENT = 8

#: Characters of token-like secrets (tokens, URL-encoded and base64 forms).
ANCHORED_ALPHABET = "A-Za-z0-9+/=_.~%-"

#: Below this many token-like strings, regular expressions find them faster than the index.
INDEX_THRESHOLD = 256

#: Token-like secrets are indexed by this many leading characters.
ANCHOR_LENGTH = 8

_TOKEN_LIKE = re.compile(f"[{ANCHORED_ALPHABET}]+")
_TOKEN_WORDS = re.compile(f"[{ANCHORED_ALPHABET}]{{{ANCHOR_LENGTH},}}")

#: Header names whose values are always secret (lower case).
SECRET_HEADERS = frozenset(
    {"authorization", "cookie", "set-cookie", "x-api-key", "proxy-authorization"}
)

#: Field and parameter names whose values are secret, compared without case and separators.
SECRET_KEYS = frozenset(
    {
        "password",
        "new_password",
        "old_password",
        "passphrase",
        "secret",
        "client_secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "api_key",
        "private_key",
        "card_number",
        "pan",
        "cvv",
        "cvc",
    }
)


def _normalise_key(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


_NORMALISED_KEYS = frozenset(_normalise_key(key) for key in SECRET_KEYS)

# A key as it may be spelt in text: any case, "_" or "-" or nothing between its words.
_KEY_PATTERN = "(?:{})".format(
    "|".join(
        "[-_]?".join(re.escape(word) for word in key.split("_"))
        for key in sorted(SECRET_KEYS, key=len, reverse=True)
    )
)

# Secrets located by their surroundings in free text. Each pattern has a "value" group and
# runs only when a cheap substring test shows it could match: most texts never pay for it.
_KEYED_PAIRS = re.compile(
    rf'"{_KEY_PATTERN}"\s*:\s*"(?P<value>(?:[^"\\]|\\.)*)"'
    rf"|(?<![\w-]){_KEY_PATTERN}=(?P<form_value>[^&\s#\"']*)",
    re.IGNORECASE,
)
_AUTH_CREDENTIALS = re.compile(r"(?i:bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=-]+)")
_URL_USERINFO = re.compile(r"://(?P<value>[^/@\s:]+(?::[^/@\s]*)?)@")

#: Words one of which every secret key ends with: the cheap test before ``_KEYED_PAIRS``.
_KEY_TRIGGERS = tuple(sorted({key.rsplit("_", 1)[-1] for key in SECRET_KEYS}))

# Reads one JSON value where it stands (raw_decode): a member's name, or where a value ends.
_JSON = json.JSONDecoder()
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def is_secret_key(name: str) -> bool:
    """Tell whether a JSON field, query parameter or form field of this name holds a secret."""
    return _normalise_key(name) in _NORMALISED_KEYS


def _may_name_a_secret(text: str) -> bool:
    """The cheap test before reading a JSON text: could one of its names be a secret key?

    Never false when a name is: the keys are looked for as ``is_secret_key`` compares them
    (without case or separators), and any ``\\u`` escape could spell one.
    """
    bare = text.lower().replace("_", "").replace("-", "")
    return "\\u" in text or any(key in bare for key in _NORMALISED_KEYS)


def _skip_space(text: str, at: int) -> int:
    space = _JSON_SPACE.match(text, at)
    assert space is not None  # the pattern matches the empty string
    return space.end()


def _member(text: str, at: int, spans: list[tuple[int, int]]) -> tuple[int, bool]:
    """Read a member's name and colon; read a secret's value whole, noting where it is.

    Returns where reading goes on, and whether the member's value has been read.
    """
    if not text.startswith('"', at):
        raise ValueError(f"a member name was expected at {at}")
    name, at = _JSON.raw_decode(text, at)
    at = _skip_space(text, at)
    if not text.startswith(":", at):
        raise ValueError(f"':' was expected at {at}")
    at = _skip_space(text, at + 1)
    if not is_secret_key(name):
        return at, False
    end = _JSON.raw_decode(text, at)[1]
    spans.append((at, end))
    return end, True


def _secret_values(text: str) -> list[tuple[int, int]]:
    """Where the values of secret-named members are in a JSON text, outermost ones only.

    The text is read as it is, never decoded and encoded again: whatever is not a secret
    (a number such as ``150.10``, spacing, member order, duplicate names) can be kept byte
    for byte. Nesting is followed without recursion. Raises ``ValueError`` when the text is
    not one JSON value.
    """
    spans: list[tuple[int, int]] = []
    closers: list[str] = []  # what closes each container being read, innermost last
    at, ended = _skip_space(text, 0), False
    try:
        while True:
            if not ended:  # a value starts at `at`
                opener = text[at : at + 1]
                if opener in ("{", "["):
                    closers.append("}" if opener == "{" else "]")
                    at = _skip_space(text, at + 1)
                    if text.startswith(closers[-1], at):
                        closers.pop()
                        at, ended = at + 1, True
                    elif opener == "{":
                        at, ended = _member(text, at, spans)
                    continue
                at, ended = _JSON.raw_decode(text, at)[1], True
            at = _skip_space(text, at)  # a value ended: a comma, a closer or the end follows
            if not closers:
                if at < len(text):
                    raise ValueError(f"extra data after the JSON value at {at}")
                return spans
            if text.startswith(closers[-1], at):
                closers.pop()
                at += 1
            elif text.startswith(",", at):
                at, ended = _skip_space(text, at + 1), False
                if closers[-1] == "}":
                    at, ended = _member(text, at, spans)
            else:
                raise ValueError(f"',' or {closers[-1]!r} was expected at {at}")
    except RecursionError:
        raise ValueError("a secret's value nests too deeply to read") from None


def _replace(text: str, spans: list[tuple[int, int]], replacement: str) -> str:
    """``text`` with each of its (ordered, disjoint) spans replaced."""
    pieces, done = [], 0
    for start, end in spans:
        pieces += [text[done:start], replacement]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_value(match: re.Match[str]) -> str:
    group = "value" if match.group("value") is not None else "form_value"
    start, end = match.span(group)
    offset = match.start()
    text = match.group(0)
    return text[: start - offset] + REDACTED + text[end - offset :]


def _split_credentials(name: str, value: str) -> tuple[str | None, str]:
    """``("Bearer", "abc")`` for an authorization header with a scheme, else ``(None, value)``."""
    scheme, _, credentials = value.partition(" ")
    if credentials and scheme.isalpha() and name.lower().endswith("authorization"):
        return scheme, credentials
    return None, value


def _base64_fragments(raw: bytes) -> set[str]:
    """The parts of any base64 text that encode ``raw``, at each of the three alignments.

    The URL-safe alphabet is added for the aligned form only (a token encoded on its own);
    inside longer base64 texts (Basic credentials) the standard alphabet is the one used.
    """
    fragments = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        start = -(-8 * offset // 6)  # first character made only of the secret's bits
        end = 8 * (offset + len(raw)) // 6  # last such character, exclusive
        fragment = encoded[start:end]
        if len(fragment) >= MIN_BASE64_FRAGMENT:
            fragments.add(fragment)
            if offset == 0:
                fragments.add(fragment.replace("+", "-").replace("/", "_"))
    return fragments


def encodings_of(secret: str) -> set[str]:
    """Every form of ``secret`` that is redacted: raw, URL-encoded, JSON-escaped, base64."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms |= _base64_fragments(secret.encode())
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of ``words``, longest first, shaped as a prefix trie."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        literal = ""
        # Follow single-child chains iteratively so that long tokens do not nest deeply.
        while len(node) == 1 and "" not in node:
            char, node = next(iter(node.items()))
            literal += re.escape(char)
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return literal
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return literal + (f"(?:{body})?" if "" in node else body)

    return build(root)


class _LiteralIndex:
    """Literal strings to redact, found in time that does not grow with their number.

    Once there are ``INDEX_THRESHOLD`` "token-like" strings (at least ``ANCHOR_LENGTH``
    characters, all from ``ANCHORED_ALPHABET``: tokens, URL-encoded and base64 forms),
    each is filed under its first ``ANCHOR_LENGTH`` characters, and a text is searched by
    looking up each position of its token-like words in that dictionary, whatever the
    number of secrets (below the threshold, the patterns below are faster). The other strings
    (passwords with spaces or punctuation, short ones) are matched by prefix-trie regular
    expressions kept in levels that merge like a binary counter: learning one costs
    O(log n) amortised compilations, a search O(log n) scans. New strings of that kind wait
    until the next ``sub``, so that several learned together compile once.
    Not thread-safe: the Redactor locks.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._token_like: list[str] = []
        self._others: set[str] = set()
        self._anchored: dict[str, list[str]] = {}
        self._pending: set[str] = set()
        self._levels: list[tuple[frozenset[str], re.Pattern[str]]] = []

    def __len__(self) -> int:
        return len(self._known)

    def add(self, forms: Iterable[str]) -> None:
        new = set(forms) - self._known
        self._known |= new
        for form in new:
            if len(form) >= ANCHOR_LENGTH and _TOKEN_LIKE.fullmatch(form):
                self._token_like.append(form)
                if self._anchored:
                    self._file(form)
                else:
                    self._pending.add(form)
            else:
                self._others.add(form)
                self._pending.add(form)
        if not self._anchored and len(self._token_like) >= INDEX_THRESHOLD:
            # From now on the index is cheaper: move token-like strings out of the patterns.
            for form in self._token_like:
                self._file(form)
            self._levels = []
            self._pending = set(self._others)

    def _file(self, form: str) -> None:
        bucket = self._anchored.setdefault(form[:ANCHOR_LENGTH], [])
        bucket.append(form)
        bucket.sort(key=len, reverse=True)  # the longest match wins

    def _compile_pending(self) -> None:
        level = frozenset(self._pending)
        self._pending = set()
        while self._levels and len(self._levels[-1][0]) <= len(level):
            level = self._levels.pop()[0] | level
        self._levels.append((level, re.compile(_trie_pattern(level))))

    def _sub_anchored(self, text: str) -> str:
        anchored = self._anchored
        pieces: list[str] = []
        done = 0  # text[:done] is already in pieces
        for word in _TOKEN_WORDS.finditer(text):
            start, end = word.span()
            hits = [
                i
                for i in range(start, end - ANCHOR_LENGTH + 1)
                if text[i : i + ANCHOR_LENGTH] in anchored
            ]
            for i in hits:
                if i < done:
                    continue  # inside a secret already replaced
                for form in anchored[text[i : i + ANCHOR_LENGTH]]:
                    if text.startswith(form, i):
                        pieces += [text[done:i], REDACTED]
                        done = i + len(form)
                        break
        if not pieces:
            return text
        pieces.append(text[done:])
        return "".join(pieces)

    def sub(self, text: str) -> str:
        if self._anchored:
            text = self._sub_anchored(text)
        if self._pending:
            self._compile_pending()
        for _, pattern in self._levels:
            text = pattern.sub(REDACTED, text)
        return text


class Redactor:
    """Removes secrets from headers, URLs, bodies and any text; learns new secrets as it goes.

    ``learn(value)`` adds a literal secret (ignored if shorter than ``MIN_SECRET_LENGTH``);
    from then on it is redacted in every form listed in ``encodings_of``. Thread-safe.
    With ``enabled=False`` every method returns its input unchanged.
    """

    def __init__(self, secrets: Iterable[str] = (), *, enabled: bool = True) -> None:
        self._enabled = enabled
        self._literals = _LiteralIndex()
        self._learned: set[str] = set()
        self._lock = threading.Lock()
        for secret in secrets:
            self.learn(secret)

    @property
    def enabled(self) -> bool:
        """Whether redaction is on."""
        return self._enabled

    def __repr__(self) -> str:
        return f"Redactor(enabled={self._enabled}, literal_forms={len(self._literals)})"

    def learn(self, secret: str) -> None:
        """Redact ``secret`` (and its encodings) wherever it appears from now on."""
        if not self._enabled or len(secret) < MIN_SECRET_LENGTH or secret in self._learned:
            return  # the client learns its token on every request: make a repeat free
        forms = encodings_of(secret)
        with self._lock:
            self._learned.add(secret)
            self._literals.add(forms)

    def learn_from_json(self, value: object) -> None:
        """Learn the values of every secret-named field in a parsed JSON document."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str | int | float | Decimal) and not isinstance(item, bool):
                    if is_secret_key(str(key)):
                        self.learn(str(item))
                else:
                    self.learn_from_json(item)
        elif isinstance(value, list):
            for item in value:
                self.learn_from_json(item)

    def learn_from_headers(self, headers: Mapping[str, str]) -> None:
        """Learn the credentials in secret headers (``X-API-Key``, ``Authorization`` …)."""
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                self.learn(_split_credentials(name, value)[1])

    def learn_from_body(self, body: bytes) -> None:
        """Learn the values of every secret-named field in a raw JSON body, as written there.

        A number is learned as its text (``1234.50`` stays ``1234.50``); text that is not
        JSON teaches nothing.
        """
        if not self._enabled:
            return
        text = body.decode("utf-8", errors="replace")
        if not _may_name_a_secret(text):
            return
        try:
            self._learn_values(text, _secret_values(text))
        except ValueError:
            return  # not JSON: nothing structured to learn from

    def _learn_values(self, text: str, spans: list[tuple[int, int]]) -> None:
        for start, end in spans:
            value = text[start:end]
            if value.startswith('"'):
                self.learn(json.loads(value))
            elif value.startswith(("{", "[")):  # a container: its own secret-named fields
                self._learn_values(value, _secret_values(value))
            elif value not in ("true", "false", "null"):
                self.learn(value)

    def text(self, text: str) -> str:
        """Redact every known kind of secret in free text (messages, bodies, curl lines)."""
        if not self._enabled:
            return text
        with self._lock:
            text = self._literals.sub(text)
        lowered = text.lower()
        if any(trigger in lowered for trigger in _KEY_TRIGGERS):
            text = _KEYED_PAIRS.sub(_mask_value, text)
        if "bearer" in lowered or "basic" in lowered:
            text = _AUTH_CREDENTIALS.sub(_mask_value, text)
        if "@" in text:
            text = _URL_USERINFO.sub(_mask_value, text)
        return text

    def url(self, url: str) -> str:
        """Redact a URL: user information, secret query parameters and literal secrets."""
        return self.text(url)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Copy ``headers`` with secret headers masked (keeping an authorization scheme)."""
        if not self._enabled:
            return dict(headers)
        redacted = {}
        names = []
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                scheme, _ = _split_credentials(name, value)
                redacted[name] = f"{scheme} {REDACTED}" if scheme else REDACTED
            else:
                names.append(name)
        # The other values are redacted as one text: one pass instead of one per header.
        joined = "\n".join(headers[name] for name in names)
        values = self.text(joined).split("\n")
        if len(values) != len(names):  # a value had a line break of its own
            values = [self.text(headers[name]) for name in names]
        redacted.update(zip(names, values, strict=True))
        return {name: redacted[name] for name in headers}

    def json(self, value: object) -> object:
        """Copy a parsed JSON document with the values of secret-named fields masked."""
        if not self._enabled:
            return value
        if isinstance(value, dict):
            return {
                key: REDACTED if is_secret_key(str(key)) else self.json(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.json(item) for item in value]
        return value

    def body(self, content: bytes | str | None, content_type: str | None = None) -> str | None:
        """Redact a request or response body, changing nothing but its secrets.

        In JSON, the value of each secret-named field becomes ``"[REDACTED]"`` in place;
        every other character is kept as it was (numbers are never re-encoded).
        """
        if content is None:
            return None
        text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
        if not self._enabled or not text:
            return text
        looks_like_json = (content_type is not None and "json" in content_type) or text[:1] in "{["
        if looks_like_json and _may_name_a_secret(text):
            try:
                spans = _secret_values(text)
            except ValueError:
                spans = []  # not valid JSON after all: redact it as text
            text = _replace(text, spans, json.dumps(REDACTED))
        return self.text(text)
