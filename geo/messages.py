"""Plain-language error messages for sensor records, in Dutch (default) and English.

Messages speak to the person who filled in the form or the file, at B1 level: what is wrong
and what to do.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    'required': (
        'Vul dit veld in.',
        'Please fill in this field.',
    ),
    'too_long': (
        'Gebruik hoogstens {max} tekens.',
        'Use at most {max} characters.',
    ),
    'unknown_choice': (
        "'{value}' staat niet in de lijst. Kies een van de mogelijkheden.",
        "'{value}' is not in the list. Choose one of the options.",
    ),
    'other_type_required': (
        "U koos 'Anders'. Schrijf op wat voor sensor het is.",
        "You chose 'Other'. Write down what kind of sensor it is.",
    ),
    'themes_required': (
        'Kies minstens één thema.',
        'Choose at least one theme.',
    ),
    'too_many_themes': (
        "Kies hoogstens {max} thema's.",
        'Choose at most {max} themes.',
    ),
    'yes_no': (
        "Vul 'Ja' of 'Nee' in.",
        "Fill in 'Yes' or 'No'.",
    ),
    'legal_ground_required': (
        'De sensor verwerkt persoonsgegevens. Kies de wettelijke grondslag.',
        'The sensor processes personal data. Choose the legal ground.',
    ),
    'privacy_statement_required': (
        'De sensor verwerkt persoonsgegevens. Geef de link naar uw privacyverklaring.',
        'The sensor processes personal data. Give the link to your privacy statement.',
    ),
    'retention_required': (
        'De sensor verwerkt persoonsgegevens. Schrijf op hoe lang u de gegevens bewaart.',
        'The sensor processes personal data. Write down how long you keep the data.',
    ),
    'bad_retention': (
        ('Schrijf de bewaartermijn als een aantal dagen, weken, maanden of jaren, '
         "bijvoorbeeld '28 dagen'."),
        ('Write the retention period as a number of days, weeks, months or years, '
         "for example '28 days'."),
    ),
    'bad_url': (
        'Geef een volledige link die begint met https:// of http://.',
        'Give a full link starting with https:// or http://.',
    ),
    'open_data_url_required': (
        'U publiceert de gegevens als open data. Geef de link.',
        'You publish the data as open data. Give the link.',
    ),
    'nul_character': (
        'Deze tekst bevat een NUL-teken (een onzichtbaar teken met code 0). Haal het weg en probeer het opnieuw.',
        'This text contains a NUL character (an invisible character with code 0). Remove it and try again.',
    ),
    'bad_email': (
        'Dit is geen geldig e-mailadres.',
        'This is not a valid e-mail address.',
    ),
    'personal_mailbox': (
        ('Een adres bij {domain} is een persoonlijk adres. Alleen een adres van de'
         ' organisatie wordt openbaar getoond.'),
        ("An address at {domain} is a personal address. Only an organisation's "
         'address is shown publicly.'),
    ),
    'bad_date': (
        'Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 31-12-2026.',
        'Write the date as dd-mm-yyyy, for example 31-12-2026.',
    ),
    'end_date_required': (
        'Vul in wanneer de sensor wordt verwijderd.',
        'Fill in when the sensor will be removed.',
    ),
    'end_before_start': (
        'De einddatum ligt vóór de plaatsingsdatum.',
        'The end date is before the placement date.',
    ),
    'confirmed_in_future': (
        'Deze datum ligt in de toekomst.',
        'This date is in the future.',
    ),
    'location_required': (
        'Geef de plek van de sensor: breedtegraad en lengtegraad.',
        "Give the sensor's location: latitude and longitude.",
    ),
    'area_required': (
        ('Een mobiele sensor wordt gemeld met het gebied waarin hij beweegt. Geef '
         'een stadsdeel of een gebied.'),
        'A mobile sensor is reported by the area it moves in. Give a district or an area.',
    ),
    'fixed_needs_point': (
        'Een vaste sensor heeft één punt als plek, geen gebied.',
        'A fixed sensor has one point as its location, not an area.',
    ),
    'not_a_number': (
        "'{value}' is geen getal.",
        "'{value}' is not a number.",
    ),
    'unknown_crs': (
        'Deze coördinaten liggen niet in Nederland. Gebruik graden (WGS84) of RD-coördinaten.',
        'These coordinates are not in the Netherlands. Use degrees (WGS84) or RD coordinates.',
    ),
    'missing': (
        'Vul zowel de breedtegraad als de lengtegraad in.',
        'Fill in both latitude and longitude.',
    ),
    'outside_boundary': (
        'Deze plek ligt buiten {boundary}.',
        'This location is outside {boundary}.',
    ),
    'unknown_area': (
        "Gebied '{value}' kennen we niet. Gebruik een stadsdeel ({names}) of een WKT-polygoon.",
        "We do not know area '{value}'. Use a district ({names}) or a WKT polygon.",
    ),
    'bad_geometry': (
        'De vorm is niet geldig: {detail}.',
        'The shape is not valid: {detail}.',
    ),
    'fov_not_camera': (
        'Alleen een camera heeft een gezichtsveld.',
        'Only a camera has a field of view.',
    ),
    'fov_not_polygon': (
        'Het gezichtsveld moet een vlak (polygoon) zijn.',
        'The field of view must be an area (polygon).',
    ),
    'fov_far': (
        'Het gezichtsveld begint meer dan {max} meter van de camera.',
        'The field of view starts more than {max} metres from the camera.',
    ),
    'duplicate_reference': (
        "Referentie '{value}' komt al voor in rij {first}.",
        "Reference '{value}' already appears in row {first}.",
    ),
    'csv_not_text': (
        'Het bestand is geen tekst in UTF-8 of Windows-1252. Sla het op als CSV (UTF-8) en '
        'probeer het opnieuw.',
        'The file is not text in UTF-8 or Windows-1252. Save it as CSV (UTF-8) and try again.',
    ),
    'csv_cell_too_long': (
        'Een cel in het bestand is langer dan 128 KB, of een aanhalingsteken wordt niet gesloten. '
        'Controleer het bestand en probeer het opnieuw.',
        'A cell in the file is longer than 128 KB, or a quotation mark is never closed. Check the '
        'file and try again.',
    ),
    'unreadable_file': (
        'Het bestand kan niet worden gelezen: {detail}.',
        'The file cannot be read: {detail}.',
    ),
    'too_many_invalid_rows': (
        'We zijn gestopt met lezen bij rij {row}: {count} rijen hadden fouten. Verbeter eerst deze '
        'rijen en stuur het bestand opnieuw.',
        'We stopped reading at row {row}: {count} rows had errors. Correct these rows first and '
        'send the file again.',
    ),
    'not_this_format': (
        'Dit is geen {format}-bestand, ook al zegt de naam dat. Sla het op als {format} en '
        'probeer het opnieuw.',
        'This is not a {format} file, although its name says so. Save it as {format} and '
        'try again.',
    ),
    'nested_too_deep': (
        'Het bestand is te diep genest om te lezen. Controleer of het echt GeoJSON is.',
        'The file is nested too deeply to read. Check that it really is GeoJSON.',
    ),
    'unknown_crs_name': (
        "Het coördinatenstelsel '{name}' kennen we niet. Gebruik WGS84 (EPSG:4326) of "
        'RD New (EPSG:28992).',
        "We do not know the coordinate system '{name}'. Use WGS84 (EPSG:4326) or "
        'RD New (EPSG:28992).',
    ),
    'no_feature_layer': (
        'De GeoPackage heeft geen kaartlaag met punten of vlakken.',
        'The GeoPackage has no layer with points or areas.',
    ),
    'unknown_layer': (
        "De GeoPackage heeft geen kaartlaag '{layer}'.",
        "The GeoPackage has no layer '{layer}'.",
    ),
    'package_not_plain': (
        'De GeoPackage is beschadigd, of bevat onderdelen die we om veiligheidsredenen niet '
        'lezen (views, virtuele tabellen, eigen functies). Exporteer de kaartlaag opnieuw als '
        'gewone GeoPackage.',
        'The GeoPackage is damaged, or holds parts we do not read for safety reasons (views, '
        'virtual tables, custom functions). Export the layer again as a plain GeoPackage.',
    ),
    'workbook_too_large': (
        'Het werkboek wordt bij uitpakken groter dan {mb} MB. Verdeel de sensoren over meer '
        'bestanden.',
        'The workbook unpacks to more than {mb} MB. Split the sensors over more files.',
    ),
    'unsafe_xml': (
        'Het werkboek bevat XML-entiteiten of verwijzingen naar andere bestanden. Die lezen we '
        'om veiligheidsredenen niet. Sla het opnieuw op met Excel of LibreOffice.',
        'The workbook contains XML entities or references to other files. We do not read '
        'those, for safety. Save it again with Excel or LibreOffice.',
    ),
    'missing_sheet': (
        "Het werkblad '{sheet}' ontbreekt.",
        "The sheet '{sheet}' is missing.",
    ),
    'missing_columns': (
        'Deze kolommen ontbreken: {columns}.',
        'These columns are missing: {columns}.',
    ),
}

def message(code: str, locale: str = "nl", **params: object) -> str:
    """The message for ``code`` in ``locale`` ('nl' or 'en'), with ``params`` filled in."""
    nl, en = MESSAGES[code]
    text = en if locale == "en" else nl
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
