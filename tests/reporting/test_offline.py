"""Stripping third-party scripts from report pages, and finding what still reaches out."""

from __future__ import annotations

import pytest

from reporting.offline import external_references, strip_third_party_scripts

GTM_LOADER = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>'
GTM_INLINE = "<script>window.dataLayer = window.dataLayer || []; gtag('js', new Date());</script>"


@pytest.mark.parametrize(
    ("script", "removed"),
    [
        (GTM_LOADER, "script src=https://www.googletagmanager.com/gtag/js?id=G-X"),
        ('<script src="//cdn.example.com/x.js"></script>', "script src=//cdn.example.com/x.js"),
        (
            GTM_INLINE,
            "inline script: window.dataLayer = window.dataLayer || []; gtag('js', new Date());",
        ),
        (
            "<script>fetch('https://telemetry.example.com/hit')</script>",
            "inline script: fetch('https://telemetry.example.com/hit')",
        ),
        (
            '<SCRIPT SRC="HTTPS://CDN.EXAMPLE.COM/A.JS"></SCRIPT>',
            "script src=HTTPS://CDN.EXAMPLE.COM/A.JS",
        ),
    ],
)
def test_third_party_scripts_are_removed(script: str, removed: str) -> None:
    page = f"<html><body><div id='app'></div>{script}<p>kept</p></body></html>"
    cleaned, report = strip_third_party_scripts(page)
    assert cleaned == "<html><body><div id='app'></div><p>kept</p></body></html>"
    assert report == [removed]


@pytest.mark.parametrize(
    "script",
    [
        '<script src="app-b3323b.js"></script>',
        '<script src="./widgets/x.js" async></script>',
        "<script>window.allure = window.allure || {};</script>",
        "<script>\n  // see app.js for the loader\n  new URL(pathname, origin);\n</script>",
        "<script>document.createElementNS('http://www.w3.org/2000/svg', 'svg')</script>",
    ],
)
def test_the_reports_own_scripts_are_kept(script: str) -> None:
    page = f"<html><body>{script}</body></html>"
    assert strip_third_party_scripts(page) == (page, [])
    assert external_references(page) == []


@pytest.mark.parametrize(
    ("html", "found"),
    [
        (GTM_LOADER, "<script src> https://www.googletagmanager.com/gtag/js?id=G-X"),
        (GTM_INLINE, "inline <script> calls an analytics service"),
        (
            '<link rel="stylesheet" href="https://fonts.googleapis.com/css">',
            "<link href> https://fonts.googleapis.com/css",
        ),
        ('<img src="http://pixel.example.com/p.gif">', "<img src> http://pixel.example.com/p.gif"),
        ('<iframe src="//example.com/frame"></iframe>', "<iframe src> //example.com/frame"),
        (
            '<img srcset="a.png 1x, https://cdn.example.com/b.png 2x">',
            "<img srcset> https://cdn.example.com/b.png",
        ),
        (
            "<div style=\"background: url('https://x.example.com/y.png')\"></div>",
            "<div style> https://x.example.com/y.png",
        ),
        (
            '<style>@import url("https://x.example.com/theme.css");</style>',
            "inline <style> https://x.example.com/theme.css",
        ),
    ],
)
def test_external_references_are_found(html: str, found: str) -> None:
    assert found in external_references(f"<html><head></head><body>{html}</body></html>")


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://allurereport.org">Allure</a>',
        '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>',
        '<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns=\'http://www.w3.org/2000/svg\'%3E">',
        '<link rel="stylesheet" href="styles.css">',
        "<p>see https://example.com in the text</p>",
    ],
)
def test_links_namespaces_and_local_files_are_not_external(html: str) -> None:
    assert external_references(f"<html><body>{html}</body></html>") == []
