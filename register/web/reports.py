"""PDF reports rendered with WeasyPrint from the same templates as the pages (tagged, PDF/UA-1)."""
from __future__ import annotations

from flask import render_template

from register import ROOT


def render_pdf(template: str, locale: str, **context) -> bytes:
    """A tagged PDF (PDF/UA-1) of ``template``: readable by screen readers, in ``locale``."""
    # Imported when a report is asked for: 250 modules a process need not start with (issue 16).
    from weasyprint import HTML

    html = render_template(template, locale=locale, **context)
    return HTML(string=html, base_url=str(ROOT / "register" / "static") + "/",
                url_fetcher=_no_network).write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)


def _no_network(url: str, timeout: int = 10, ssl_context=None):
    """Reports use only files of the project itself; anything else is refused (no remote fetches)."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("file://" + str(ROOT)) or url.startswith("data:"):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError(f"reports do not fetch {url!r}")


