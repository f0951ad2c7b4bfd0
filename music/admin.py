"""The admin of each area registers itself on import; Django's autodiscovery reads this module."""

from music.catalog import admin as catalog_admin
from music.library import admin as library_admin

__all__ = ["catalog_admin", "library_admin"]
