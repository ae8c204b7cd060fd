"""Pigment's own OpenAPI document against the live emulator (uvicorn on loopback), with schemathesis.

Every operation of the document gets generated requests (positive mode: valid per the document) with
valid Bearer keys; most generated ids are swapped for ids that exist in the demo workspace, so the success
paths (CSV exports, import reports with the detailed report) are exercised and not only 404s.
Every response must pass: a documented status code, a documented content type, a body that matches the
documented schema, and no 5xx.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledgerbridge.sandbox.pigment.routes_control import openapi_document
from ledgerbridge.sandbox.pigment.settings import KeyType

from .support import Pigment, bearer

EXAMPLES_PER_OPERATION = 25
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance, not_a_server_error]
SCHEMA = schemathesis.openapi.from_dict(openapi_document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Generated traffic must not trip the 5-minute request window (that 429 is not documented per path).
    return {"requests_per_window": 100_000}


def test_the_document_has_every_path() -> None:
    document = openapi_document()
    declared = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert {(op.method.upper(), op.path) for op in OPERATIONS} == declared
    assert len(declared) == 19
    assert {op.path for op in OPERATIONS} >= {
        "/api/import/push/csv",
        "/api/v1/import/trigger",
        "/api/v1/blocks",
    }


def _known_ids(pigment: Pigment) -> dict[str, list[str]]:
    """Real ids per parameter name, including finished, failed and triggered imports."""
    model = pigment.model()["applications"][0]
    by_type: dict[str, list[str]] = {}
    for block in model["blocks"]:
        by_type.setdefault(block["type"], []).append(block["id"])
    configurations = [config["id"] for config in model["importConfigurations"]]
    csv_config = next(c["id"] for c in model["importConfigurations"] if c["name"].startswith("gl-actuals"))
    imports = [
        pigment.push(
            "gl-actuals-to-planning · Actuals",
            "Month;Entity Code;Account Code;Department Code;Amount\n"
            "Jan 26;US01;6000;100;10.00\nJan 26;US01;9999;100;1\n",
        ),
        pigment.push("gl-actuals-to-planning · Actuals", "not;the;header\n1;2;3\n"),
    ]
    triggered = pigment.imports.post(
        "/api/v1/import/trigger",
        params={
            "configurationId": next(
                c["id"] for c in model["importConfigurations"] if c["source"] == "integration"
            )
        },
    )
    imports.append(triggered.json()["importId"])
    for import_id in imports:
        pigment.wait(import_id)
    return {
        "importId": imports,
        "configurationId": [csv_config, *configurations],
        "viewId": [view["id"] for view in model["views"]],
        "listId": by_type["DimensionList"] + by_type["TransactionList"],
        "metricId": by_type["Metric"],
        "tableId": by_type["Table"],
        "applicationId": [model["id"]],
        "blockId": [block["id"] for block in model["blocks"]],
    }


def _key_for(path: str, pigment: Pigment) -> str:
    kind: KeyType = "Import" if "/import/" in path else "Export" if "/export/" in path else "ModelingMetadata"
    return pigment.settings.key_of_type(kind).secret.get_secret_value()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_operation_conforms_to_pigment_openapi(operation: Any, pigment: Pigment) -> None:
    known = _known_ids(pigment)
    headers = bearer(_key_for(operation.path, pigment))

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        for location in (case.path_parameters, case.query):
            for name in list(location or {}):
                if name in known:
                    # Real ids first (what hypothesis draws most), the generated value as the last choice.
                    location[name] = data.draw(st.sampled_from([*known[name], location[name]]), label=name)
        case.call_and_validate(base_url=pigment.base_url, headers=headers, checks=CHECKS, timeout=30)

    check()
