"""The NetSuite connector: SuiteTalk REST record service, SuiteQL, async batch writes and governance.

Public surface (everything else is an implementation detail of this package):

- :class:`NetSuiteClient` — the one object flows use (``client.py``)
- :class:`NetSuiteSettings` with :class:`TbaCredentials` / :class:`OAuth2ClientCredentials` (``config.py``)
- :class:`ItemResult`, :class:`GovernanceLimits`, :class:`RequestCounts`, :class:`RequestKind`
  (``records.py``)
- :func:`parse_error` (``errors.py``), :func:`decode_row` (``decode.py``), :func:`keyset_sql`
  (``suiteql.py``), :func:`recommended_concurrency` (``governance.py``),
  :func:`build_transport` (``session.py``)
"""

from .client import NetSuiteClient
from .config import NetSuiteSettings, OAuth2ClientCredentials, TbaCredentials, account_realm, account_slug
from .decode import decode_row
from .errors import IdempotencyConflict, parse_error
from .governance import recommended_concurrency
from .records import GovernanceLimits, ItemResult, RequestCounts, RequestKind, check_external_id
from .session import build_transport
from .suiteql import SuiteQLPage, keyset_sql

__all__ = [
    "GovernanceLimits",
    "IdempotencyConflict",
    "ItemResult",
    "NetSuiteClient",
    "NetSuiteSettings",
    "OAuth2ClientCredentials",
    "RequestCounts",
    "RequestKind",
    "SuiteQLPage",
    "TbaCredentials",
    "account_realm",
    "account_slug",
    "build_transport",
    "check_external_id",
    "decode_row",
    "keyset_sql",
    "parse_error",
    "recommended_concurrency",
]
