"""Reading sensor registrations from files.  Nothing here writes to the register."""

from .readers import READERS, read_csv, read_file, read_geojson, read_geopackage, read_workbook
from .report import ImportReport, ImportRow, RowError

__all__ = [
                      "READERS",
                      "ImportReport",
                      "ImportRow",
                      "RowError",
                      "read_csv",
                      "read_file",
                      "read_geojson",
                      "read_geopackage",
                      "read_workbook",
]
