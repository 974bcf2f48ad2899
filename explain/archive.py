"""How much a ``.skops`` archive may unpack to, checked from its directory before anything is read.

A ``.skops`` file is a ZIP archive. Issue 12: 200 KB that inflated to 200 MiB raised a worker's
memory by 525 MB before an uncaught error. The archive's central directory states every entry's
uncompressed size, and Python's ``zipfile`` (which skops uses too) never inflates an entry past
its stated size, so checking the stated sizes bounds what reading can cost. Refused:

- more than :data:`MAX_ENTRIES` entries;
- more than :data:`MAX_UNPACKED_BYTES` in total once unpacked;
- a total that unpacks to more than :data:`MAX_RATIO` times the file's size (once past
  :data:`RATIO_FLOOR_BYTES`: small files of zeros compress well and are harmless);
- a ``schema.json`` over :data:`MAX_SCHEMA_BYTES`.
"""
from __future__ import annotations

import io
import zipfile

from .errors import IntakeError

MAX_ENTRIES = 50_000  # a random forest of 1,000 trees has about 10,000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # numeric arrays in real models compress 2–20 times
RATIO_FLOOR_BYTES = 16 * 1024 * 1024
MAX_SCHEMA_BYTES = 64 * 1024 * 1024


def _refuse(en: str, nl: str) -> IntakeError:
    return IntakeError("unpacks_too_large", en, nl)


def check_archive(data: bytes) -> None:
    """Raise ``IntakeError`` when the ZIP in ``data`` would unpack to too much; silent otherwise.

    A file that is no ZIP archive at all is left to the caller's own check.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if len(entries) > MAX_ENTRIES:
        raise _refuse(f"The model file holds {len(entries):,} parts; the register accepts at most "
                      f"{MAX_ENTRIES:,}.",
                      f"Het modelbestand bevat {len(entries):,} onderdelen; het register accepteert er "
                      f"hoogstens {MAX_ENTRIES:,}.")
    total = sum(max(info.file_size, 0) for info in entries)
    schema = next((info.file_size for info in entries if info.filename == "schema.json"), 0)
    limit_mb = MAX_UNPACKED_BYTES // 2**20
    if total > MAX_UNPACKED_BYTES:
        raise _refuse(f"The model file would unpack to {total / 2**20:,.0f} MB; the register accepts at "
                      f"most {limit_mb} MB unpacked.",
                      f"Het modelbestand wordt uitgepakt {total / 2**20:,.0f} MB; het register "
                      f"accepteert uitgepakt hoogstens {limit_mb} MB.")
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(len(data), 1):
        raise _refuse(f"The model file would unpack to {total // max(len(data), 1):,} times its own size "
                      f"(a 'zip bomb'); the register accepts at most {MAX_RATIO} times.",
                      f"Het modelbestand wordt uitgepakt {total // max(len(data), 1):,} keer zo groot "
                      f"(een 'zipbom'); het register accepteert hoogstens {MAX_RATIO} keer.")
    if schema > MAX_SCHEMA_BYTES:
        raise _refuse(f"The model's schema.json is {schema / 2**20:,.0f} MB unpacked; at most "
                      f"{MAX_SCHEMA_BYTES // 2**20} MB is accepted.",
                      f"De schema.json van het model is uitgepakt {schema / 2**20:,.0f} MB; hoogstens "
                      f"{MAX_SCHEMA_BYTES // 2**20} MB wordt geaccepteerd.")
