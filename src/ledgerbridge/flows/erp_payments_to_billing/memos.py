"""Credit memos made in NetSuite → Nue credit memos (``POST /credit-memos``, once per NetSuite memo).

The Nue request carries the key ``lb-cm-ns<NetSuite id>``: sending it again (a retry, a lost answer, a lost
hub) returns the memo made the first time instead of a second one. The customer must be mirrored
(``lb-nue-cust-<Nue id>`` on the NetSuite customer); otherwise the memo has no Nue customer and is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

from ledgerbridge.connectors.netsuite.client import NetSuiteClient
from ledgerbridge.connectors.nue.client import NueClient
from ledgerbridge.connectors.nue.writes import CreditMemoLine, CreditMemoRequest
from ledgerbridge.engine.executor import WriteResult
from ledgerbridge.errors import Fatal, LedgerbridgeError
from ledgerbridge.flows.billing_ids import NETSUITE
from ledgerbridge.hub import ClaimedRecord, HubStore
from ledgerbridge.money import to_decimal

from .resolve import nue_id
from .source import customer_external_ids
from .staging import FLOW_NAME, MEMO, SOURCE_TYPE


def memo_request(record: ClaimedRecord, customer_id: str) -> CreditMemoRequest | None:
    """The Nue request for one NetSuite-made credit memo (None when it credits nothing)."""
    payload = record.payload
    total = to_decimal(payload["total"])
    if total <= 0:
        return None
    lines = tuple(
        CreditMemoLine(amount=to_decimal(line["amount"]), description=line.get("description"))
        for line in payload.get("lines") or ()
    )
    # Nue wants positive lines adding up to the memo; anything else (discount lines, tax) becomes one line
    if not lines or any(line.amount <= 0 for line in lines) or sum(line.amount for line in lines) != total:
        number = payload.get("netsuite_transaction_number") or payload["netsuite_transaction_id"]
        lines = (CreditMemoLine(amount=total, description=f"NetSuite credit memo {number}"),)
    day = payload.get("date")
    return CreditMemoRequest(
        customer_id=customer_id,
        source_id=f"ns{payload['netsuite_transaction_id']}",
        lines=lines,
        credit_memo_date=date.fromisoformat(day) if day else None,
    )


async def create_memos(
    records: Sequence[ClaimedRecord], nue: NueClient, netsuite: NetSuiteClient, hub: HubStore
) -> tuple[dict[int, WriteResult], dict[str, str]]:
    """Create each memo in Nue: results by hub record id, and Nue memo id by NetSuite memo id."""
    results: dict[int, WriteResult] = {}
    created: dict[str, str] = {}
    if not records:
        return results, created
    wanted = {
        str(r.payload["netsuite_customer_id"]) for r in records if r.payload.get("netsuite_customer_id")
    }
    customers = await customer_external_ids(netsuite, wanted)
    for record in records:
        payload = record.payload
        number = payload.get("netsuite_transaction_number") or payload["netsuite_transaction_id"]
        ns_customer = str(payload.get("netsuite_customer_id") or "")
        eid = customers.get(ns_customer)
        customer_id = await asyncio.to_thread(nue_id, hub, "cust", eid)
        if customer_id is None:
            results[record.id] = WriteResult.skipped(
                f"NetSuite credit memo {number}: its customer (id {ns_customer or 'none'}, external id "
                f"{eid or 'none'}) is not mirrored from Nue, so the memo has no Nue customer"
            )
            continue
        request = memo_request(record, customer_id)
        if request is None:
            results[record.id] = WriteResult.skipped(f"NetSuite credit memo {number} credits nothing")
            continue
        try:
            memo = await nue.create_credit_memo(request)
        except Fatal:
            raise
        except LedgerbridgeError as exc:
            results[record.id] = WriteResult.failed(exc)
            continue
        results[record.id] = WriteResult.ok(memo.id)
        created[str(payload["netsuite_transaction_id"])] = memo.id
    return results, created


def memo_in_hub(hub: HubStore, netsuite_memo: str) -> str | None:
    """The Nue id of a NetSuite-made memo an earlier batch or run created (its hub row is transferred)."""
    row = hub.find(FLOW_NAME, NETSUITE, SOURCE_TYPE[MEMO], netsuite_memo)
    if row is None or row.state.value != "transferred":
        return None
    return row.target_id
