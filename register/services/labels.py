"""The algorithm label's short address and QR code, for web pages and paper letters (issue 13)."""
from __future__ import annotations

from urllib.parse import urlsplit

import segno

QUIET_ZONE = 2  # modules of white around the code; the label's own white frame adds more


def short_address(url: str) -> str:
    """``https://register.example/A-7K3Q`` → ``register.example/A-7K3Q``: what fits on a letter."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def qr_path(url: str) -> tuple[int, str]:
    """(size in modules including the quiet zone, SVG path data of the dark modules) for ``url``."""
    code = segno.make(url, error="m", micro=False)
    rows = list(code.matrix_iter(border=QUIET_ZONE))
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return len(rows), "".join(parts)
