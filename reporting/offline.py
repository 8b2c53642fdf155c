"""Keep a generated HTML report self-contained: strip third-party scripts, find what remains.

Allure 3.18's report pages end with a Google Tag Manager loader (``analyticsEnable`` is
hard-coded to ``true`` in the awesome, classic and dashboard plugins; only the allure2 plugin
reads ``ALLURE_NO_ANALYTICS``). A report of a trading API must not call out to a tracker when
somebody opens it, so :func:`strip_third_party_scripts` removes every ``<script>`` element that
loads code from another host or talks to a tracker, and :func:`external_references` is the
independent check run afterwards: it parses the page with :mod:`html.parser` and lists anything
that would still make the browser contact another host.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Inline code mentioning one of these talks to an analytics service.
TRACKER_MARKERS = ("googletagmanager", "google-analytics", "gtag(", "datalayer")

#: Attributes through which an element makes the browser fetch something.
_RESOURCE_ATTRIBUTES = frozenset(
    {"src", "href", "data", "srcset", "poster", "action", "formaction"}
)

#: Elements whose ``href`` is a link a person may follow, not something the page loads.
_NAVIGATION_ELEMENTS = frozenset({"a", "area"})

#: XML namespace identifiers look like URLs but are never fetched.
_NAMESPACE_PREFIXES = ("http://www.w3.org/", "https://www.w3.org/")

_SCRIPT_ELEMENT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.I | re.S)
_URL_IN_CODE = re.compile(
    r"""(?:\b(?:https?|wss?|ftp):)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'<>)]*""", re.I
)
_ABSOLUTE_URL = re.compile(r"^\s*(?:(?:https?|wss?|ftp):)?//", re.I)


def is_external_url(value: str) -> bool:
    """Tell whether a URL points at another host (``https://…``, ``//host/…``)."""
    return bool(_ABSOLUTE_URL.match(value)) and not value.strip().startswith(_NAMESPACE_PREFIXES)


def _urls_in_code(code: str) -> list[str]:
    found = []
    for match in _URL_IN_CODE.finditer(code):
        url = match.group(0)
        # A bare "//word.word" without a scheme is only a URL when it opens a string; inside
        # code it is more often a comment ("// see foo.js").
        if not url.startswith("//") or code[max(match.start() - 1, 0)] in "\"'`(":
            found.append(url)
    return [url for url in found if not url.startswith(_NAMESPACE_PREFIXES)]


def _mentions_tracker(code: str) -> bool:
    lowered = code.lower()
    return any(marker in lowered for marker in TRACKER_MARKERS)


class _AttributeParser(HTMLParser):
    """Reads the attributes of the one start tag it is fed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = {name: value or "" for name, value in attrs}


def _script_attributes(attrs_text: str) -> dict[str, str]:
    parser = _AttributeParser()
    parser.feed(f"<script{attrs_text}>")
    parser.close()
    return parser.attrs


def strip_third_party_scripts(html: str) -> tuple[str, list[str]]:
    """Remove the ``<script>`` elements that load from another host or feed a tracker.

    Returns the cleaned page and one line per removed element (its ``src``, or the start of
    its inline code), so that the caller can say what it removed.
    """
    removed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        src = _script_attributes(match.group("attrs")).get("src", "")
        body = match.group("body")
        if is_external_url(src):
            removed.append(f"script src={src}")
            return ""
        if _mentions_tracker(body) or _urls_in_code(body):
            removed.append("inline script: " + " ".join(body.split())[:80])
            return ""
        return match.group(0)

    return _SCRIPT_ELEMENT.sub(replace, html), removed


class _ExternalReferenceFinder(HTMLParser):
    """Collects every place in a page that would make the browser contact another host."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code_element: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found += [f"<{tag} style> {url}" for url in _urls_in_code(value)]
            elif name in _RESOURCE_ATTRIBUTES and not (
                name == "href" and tag in _NAVIGATION_ELEMENTS
            ):
                candidates = [part.split()[0] for part in value.split(",") if part.strip()]
                urls = candidates if name == "srcset" else [value]
                self.found += [f"<{tag} {name}> {url}" for url in urls if is_external_url(url)]
        if tag in ("script", "style"):
            self._code_element = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._code_element:
            self._code_element = None

    def handle_data(self, data: str) -> None:
        if self._code_element is None:
            return
        self.found += [f"inline <{self._code_element}> {url}" for url in _urls_in_code(data)]
        if self._code_element == "script" and _mentions_tracker(data):
            self.found.append("inline <script> calls an analytics service")


def external_references(html: str) -> list[str]:
    """List what in ``html`` would make a browser contact another host; empty when none."""
    finder = _ExternalReferenceFinder()
    finder.feed(html)
    finder.close()
    return finder.found
