"""Writing the generic CSV format, safe to open in a spreadsheet; import_songs reads it back."""

import csv
import io
from collections.abc import Iterable, Iterator

from music.catalog.csv_columns import GENERIC_COLUMNS
from music.emotions import format_tags


def songs_to_csv(songs: Iterable) -> Iterator[str]:
    """Yield the generic format, header first, one line per song; import_songs reads it back.

    Pass songs with their genre selected (`select_related("genre")`): one query, not one per song."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(GENERIC_COLUMNS)
    yield flush()
    for s in songs:
        writer.writerow([_export_cell(s, column) for column in GENERIC_COLUMNS])
        yield flush()


def _export_cell(song, column: str) -> str:
    if column == "genre":
        return song.genre.name if song.genre else ""
    if column == "tags":
        return format_tags(song.emotions)
    if column in ("valence", "arousal"):
        return f"{getattr(song, column):g}" if song.va_manual else ""
    if column in ("active", "tags_reviewed"):
        return "true" if getattr(song, column) else "false"
    value = getattr(song, column)
    return "" if value is None else neutralise_formula(f"{value:g}" if isinstance(value, float) else str(value))


# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): prefixed with a quote, which
# spreadsheets show as text. The importer takes the quote off again, so a file round-trips.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def restore_formula(text: str) -> str:
    """The importer's half of neutralise_formula()."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
