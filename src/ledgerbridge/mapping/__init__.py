"""Versioned mapping tables (source value → target value) and the typed views flows use.

A :class:`MappingTable` is one ``mappings:`` entry of the workspace, frozen with its fingerprint as the
version the hub records. A missing key raises :class:`~ledgerbridge.errors.ActionNeeded` naming the key and
the mapping to add it to, so the record waits for a person instead of failing over and over.
"""

from ledgerbridge.mapping.gl_accounts import GlAccountMapping
from ledgerbridge.mapping.item_types import STANDARD_ITEM_TYPES, RecordTypeMapping
from ledgerbridge.mapping.table import MappingTable, MappingTables, combined_version

__all__ = [
    "STANDARD_ITEM_TYPES",
    "GlAccountMapping",
    "MappingTable",
    "MappingTables",
    "RecordTypeMapping",
    "combined_version",
]
