"""Which column holds which field: our own export names, Amsterdam's workbook headers, variants."""

from __future__ import annotations

import re

from ..validate import SENSOR_FIELDS


def header_key(header: object) -> str:
    """'  Wanneer wordt de sensor verwijderd? (dd-mm-jjjj) ' -> 'wanneer wordt de sensor verwijderd'"""
    text = str(header or "").replace("\u00a0", " ").casefold()
    text = re.sub(r"\((niet verplicht|dd-mm-jjjj|ja/nee|optional)\)", " ", text)
    text = re.sub(r"[?:*]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_ALIASES: dict[str, tuple[str, ...]] = {
    "reference": ("referentie", "ref", "kenmerk"),
    "sensor_type": ("kies soort / type sensor", "soort sensor", "type sensor", "type",
                    "soort / type sensor"),
    "sensor_type_other": ("anders, namelijk", "type anders", "sensor type other"),
    "lat": ("latitude", "breedtegraad", "lat"),
    "lon": ("longitude", "lengtegraad", "lng", "long", "lon"),
    "x": ("x", "rd x", "x rd", "x-coördinaat", "x coordinaat"),
    "y": ("y", "rd y", "y rd", "y-coördinaat", "y coordinaat"),
    "areas": ("in welk gebied bevindt zich de mobiele sensor", "gebied", "area", "area_names",
              "gebieden"),
    "measures": ("wat meet de sensor", "meet", "what it measures"),
    "purpose": ("waarvoor meet u dat", "doel", "doel van de meting"),
    "personal_data": ("worden er persoonsgegevens verwerkt", "persoonsgegevens"),
    "legal_ground": ("wettelijke grondslag", "grondslag"),
    "privacy_statement_url": ("privacyverklaring", "privacy statement", "privacy_statement"),
    "retention_days": ("bewaartermijn", "retention", "bewaartermijn (dagen)"),
    "end_date": ("wanneer wordt de sensor verwijderd", "einddatum", "verwijderdatum",
                 "end date"),
    "placed_on": ("plaatsingsdatum", "datum plaatsing", "start date"),
    "last_confirmed": ("laatst bevestigd", "last confirmed"),
    "remarks": ("opmerking", "opmerkingen", "remarks", "comment"),
    "project": ("project",),
    "mobile": ("mobiel", "mobiele sensor", "mobile"),
    "open_data": ("open data", "opendata"),
    "open_data_url": ("open data link", "link open data"),
    "location_description": ("locatieomschrijving", "omschrijving locatie", "location"),
    "field_of_view": ("gezichtsveld", "field of view", "field_of_view_wkt", "fov"),
    "owner_name": ("eigenaar", "organisatie", "owner"),
    "owner_kind": ("soort eigenaar", "owner kind"),
    "geometry": ("geometry", "geometrie", "wkt", "geometry_wkt", "area_wkt"),
    "status": ("status",),
    "themes": ("themes", "thema's", "themas", "thema"),
}

#: What a person calls each field when the file has no column for it: the city's workbook header
#: where there is one, else the portal's label (Dutch, English).  Messages name these, never the
#: register's internal field names (issue 14).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "reference": ("Referentie", "Reference"),
    "sensor_type": ("Kies soort / type sensor", "Sensor type"),
    "sensor_type_other": ("Anders, namelijk", "Other type"),
    "geometry": ("Latitude / Longitude", "Latitude / Longitude"),
    "areas": ("In welk gebied bevindt zich de mobiele sensor?", "Area of the mobile sensor"),
    "measures": ("Wat meet de sensor?", "What the sensor measures"),
    "purpose": ("Waarvoor meet u dat?", "Purpose"),
    "themes": ("Thema 1", "Theme 1"),
    "personal_data": ("Worden er persoonsgegevens verwerkt? (Ja/Nee)", "Personal data (Yes/No)"),
    "legal_ground": ("Wettelijke grondslag", "Legal ground"),
    "privacy_statement_url": ("Privacyverklaring", "Privacy statement"),
    "retention_days": ("Bewaartermijn", "Retention period"),
    "end_date": ("Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)", "End date"),
    "placed_on": ("Plaatsingsdatum", "Placed on"),
    "remarks": ("Opmerking", "Remarks"),
    "project": ("Project", "Project"),
    "owner_name": ("Naam organisatie/bedrijf", "Organisation"),
    "owner_kind": ("Soort eigenaar", "Kind of owner"),
    "contact_email": ("E-mail", "E-mail"),
    "contact_name": ("Voornaam / Achternaam", "Contact name"),
    "contact_phone": ("Telefoonnummer", "Phone"),
    "contact_is_organisational": ("Organisatie-adres", "Organisational address"),
    "open_data": ("Open data", "Open data"),
    "open_data_url": ("Link open data", "Open data link"),
    "field_of_view": ("Gezichtsveld", "Field of view"),
    "location_description": ("Locatieomschrijving", "Location description"),
    "status": ("Status", "Status"),
    "last_confirmed": ("Laatst bevestigd", "Last confirmed"),
    "mobile": ("Mobiel", "Mobile"),
}


def field_label(fld: str | None, locale: str = "nl") -> str | None:
    """The name a person knows ``fld`` by (see FIELD_LABELS); the field itself as a last resort."""
    if fld is None:
        return None
    labels = FIELD_LABELS.get(fld)
    return (labels[1] if locale == "en" else labels[0]) if labels else fld


#: Other CSV columns that our own exports write and that an import can ignore.
IGNORED = {"expired", "public_contact_email", "id", "sensor_type_label", "owner_kind_label",
           "legal_ground_label", "status_label", "theme_labels", "url"}

_LOOKUP: dict[str, str] = {}
for _field in SENSOR_FIELDS:
    _LOOKUP[header_key(_field)] = _field
for _field, _names in _ALIASES.items():
    for _name in _names:
        _LOOKUP.setdefault(header_key(_name), _field)

_THEME_COLUMN = re.compile(r"^(thema|theme)[ _]?\d+$")


def field_for(header: object) -> str | None:
    """The sensor field a column header stands for; 'themes' for every 'Thema N' column."""
    key = header_key(header)
    if _THEME_COLUMN.match(key):
        return "themes"
    if key in IGNORED:
        return None
    return _LOOKUP.get(key)


class ColumnMap:
    """Maps a file's headers to fields, and fields back to the header the person sees."""

    def __init__(self, headers: list[object]) -> None:
        self.headers = [str(h).strip() if h is not None else "" for h in headers]
        self.fields = [field_for(h) if h else None for h in self.headers]

    def row(self, cells: list[object]) -> dict[str, object]:
        """A row's cells as a field dict; several theme columns become one list."""
        data: dict[str, object] = {}
        themes: list[object] = []
        for fld, cell in zip(self.fields, cells):
            if fld is None:
                continue
            if fld == "themes":
                if isinstance(cell, (list, tuple)):
                    themes.extend(cell)
                elif cell is not None and str(cell).strip():
                    themes.extend(p for p in str(cell).split(";") if p.strip())
                continue
            data[fld] = cell
        data["themes"] = themes
        return data

    def column_of(self, fld: str) -> str | None:
        targets = {"geometry": ("lat", "lon", "x", "y", "geometry"),
                   "areas": ("areas",)}.get(fld, (fld,))
        found = [h for h, f in zip(self.headers, self.fields) if f in targets]
        if fld == "themes":
            found = found[:1]
        return " / ".join(found) if found else None

    def missing(self, required: tuple[str, ...]) -> list[str]:
        return [f for f in required if f not in self.fields]
