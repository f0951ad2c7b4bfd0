"""How a genre path is written: its names, broadest first, joined by GENRE_SEPARATOR ("rock/metal").
Plain Python, so the recommender's modules and the importer read it without Django."""

GENRE_SEPARATOR = "/"


def path_names(path: str) -> tuple[str, ...]:
    """ "rock/metal" -> ("rock", "metal"); "" -> ()."""
    return tuple(path.split(GENRE_SEPARATOR)) if path else ()
