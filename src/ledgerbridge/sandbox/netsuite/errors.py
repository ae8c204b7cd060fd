"""The emulator's one error type: what NetSuite would answer, before it is rendered as JSON.

The HTTP half renders an :class:`NsError` as NetSuite's error body::

    {"type": ..., "title": ..., "status": <status>,
     "o:errorDetails": [{"detail": <detail>, "o:errorCode": <code>,
                          "o:errorPath": <error_path>?, "o:errorQueryParam": <query_param>?}]}

Codes used by the data half (notes/netsuite.md §1.11):

=====================  ======  ====================================================================
code                   status  when
=====================  ======  ====================================================================
USER_ERROR             400     validation, mandatory fields ("Please enter value(s) for: ..."),
                               unbalanced journal, a closed period ("You cannot post to a closed
                               period ..."), a locked record ("This record has been locked by a
                               user defined workflow.")
INVALID_KEY_OR_REF     400     a reference to a record that does not exist
INVALID_PARAMETER      400     bad parameters: SuiteQL errors (``Unknown identifier '<col>'``),
                               paging caps, illegal external-id characters, unknown record type,
                               ``q`` dates in the wrong format ("... failed with date format ...")
NONEXISTENT_FIELD      400     a ``q`` filter on a field that is not in ``x-ns-filterable``
DUP_RCRD               400     a duplicate (item name); the detail names the existing internal id
NONEXISTENT_ID         404     the record does not exist
=====================  ======  ====================================================================
"""

from __future__ import annotations

# Phrases the connector matches on (keep them stable; they are part of the emulator's contract).
CLOSED_PERIOD_PREFIX = "You cannot post to a closed period"
LOCKED_RECORD_DETAIL = "This record has been locked by a user defined workflow."


class NsError(Exception):
    """A NetSuite REST/SuiteQL error: HTTP status, ``o:errorCode`` and the human ``detail``."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        error_path: str | None = None,
        query_param: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.error_path = error_path
        self.query_param = query_param

    # Constructors for the common cases keep the wording identical everywhere.

    @classmethod
    def user_error(cls, detail: str, *, error_path: str | None = None) -> NsError:
        return cls(400, "USER_ERROR", detail, error_path=error_path)

    @classmethod
    def invalid_parameter(cls, detail: str, *, query_param: str | None = None) -> NsError:
        return cls(400, "INVALID_PARAMETER", detail, query_param=query_param)

    @classmethod
    def missing_fields(cls, labels: list[str]) -> NsError:
        return cls.user_error(
            f"Error while accessing a resource. Please enter value(s) for: {', '.join(labels)}."
        )

    @classmethod
    def invalid_reference(cls, field_label: str, key: str, *, error_path: str | None = None) -> NsError:
        return cls(
            400,
            "INVALID_KEY_OR_REF",
            f"Invalid {field_label} reference key {key}.",
            error_path=error_path,
        )

    @classmethod
    def not_found(cls, record_type: str, key: str) -> NsError:
        return cls(
            404,
            "NONEXISTENT_ID",
            f"The record instance does not exist. Provide a valid record instance ID ({record_type} {key}).",
        )

    @classmethod
    def locked(cls) -> NsError:
        return cls.user_error(LOCKED_RECORD_DETAIL)

    @classmethod
    def closed_period(cls, period_name: str) -> NsError:
        return cls.user_error(
            f"{CLOSED_PERIOD_PREFIX} ({period_name}). The accounting period is closed; "
            "reopen it or change the transaction date.",
            error_path="postingPeriod",
        )

    @classmethod
    def nonexistent_field(cls, field: str) -> NsError:
        return cls(
            400,
            "NONEXISTENT_FIELD",
            f"Unknown field name '{field}' in the search query. The field does not exist on this record "
            "type or cannot be used for filtering.",
            query_param="q",
        )

    @classmethod
    def unknown_identifier(cls, name: str) -> NsError:
        return cls.invalid_parameter(
            "Invalid search query. Detailed unprocessed description follows. "
            f"Search error occurred: Unknown identifier '{name}'."
        )

    def as_detail(self) -> dict[str, str]:
        """The ``o:errorDetails`` entry for this error (the HTTP half wraps it)."""
        entry = {"detail": self.detail, "o:errorCode": self.code}
        if self.error_path is not None:
            entry["o:errorPath"] = self.error_path
        if self.query_param is not None:
            entry["o:errorQueryParam"] = self.query_param
        return entry
