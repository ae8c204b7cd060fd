"""Mapping tables: inline rows or CSV files, always text, keys present and unique, errors located."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerbridge.config import MappingConfig

from .helpers import load, one_problem


def csv_mapping(tmp_path: Path, content: str, keys: str = "[source]") -> str:
    (tmp_path / "map.csv").write_text(content, encoding="utf-8")
    return f"mappings:\n  accounts:\n    kind: accounts\n    key_columns: {keys}\n    file: map.csv\n"


def test_csv_cells_stay_text(tmp_path: Path) -> None:
    body = csv_mapping(tmp_path, "\ufeffsource, target ,amount\n0100,4000.10, 1e3 \n\n0200,4100,-0.00\n")
    rows = load(tmp_path, body).mappings["accounts"].rows
    # BOM dropped, header and cells trimmed, blank line skipped, nothing converted to numbers
    assert rows == [
        {"source": "0100", "target": "4000.10", "amount": "1e3"},
        {"source": "0200", "target": "4100", "amount": "-0.00"},
    ]


@pytest.mark.parametrize(
    ("content", "location", "message"),
    [
        ("source,target\n1,2\n3,4,5\n", "map.csv:3", "this row has 3 fields but the header has 2"),
        ("source,target\n1,2\n\n1,3\n", "map.csv:4", "duplicate key 1 (first seen at line 2)"),
        (
            'source,target\n"multi\nline",2\n1,3\n1,4\n',
            "map.csv:5",
            "duplicate key 1 (first seen at line 4)",
        ),
        ("source,source\n1,2\n", "map.csv:1", "empty or repeated column name"),
        ("", "map.csv:1", "the CSV file is empty"),
        ("src,target\n1,2\n", "map.csv:2", "row has no key column 'source'"),
    ],
)
def test_csv_errors_point_into_the_csv(tmp_path: Path, content: str, location: str, message: str) -> None:
    problem = one_problem(tmp_path, csv_mapping(tmp_path, content))
    file, line = location.split(":")
    # shown beside the workspace file, as the user sees that one
    assert (problem.file, problem.line, problem.field) == (
        str(tmp_path / file),
        int(line),
        "mappings.accounts",
    )
    assert message in problem.message


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "map.csv").write_bytes(b"source,target\n\xff\xfe,1\n")
    body = "mappings:\n  accounts:\n    kind: accounts\n    file: map.csv\n"
    assert "not UTF-8" in one_problem(tmp_path, body).message


def test_csv_location_is_shown_relative_to_the_workspace_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace_dir = tmp_path / "ws"
    workspace_dir.mkdir()
    body = csv_mapping(workspace_dir, "source\n1\n1\n")
    (workspace_dir / "ledgerbridge.yaml").write_text(
        "version: 1\nworkspace: {name: a, timezone: UTC}\n" + body
    )
    monkeypatch.chdir(tmp_path)
    from ledgerbridge.config import ConfigErrors, load_workspace

    with pytest.raises(ConfigErrors) as caught:
        load_workspace(Path("ws/ledgerbridge.yaml"))
    assert str(caught.value.problems[0]).startswith("ws/map.csv:3: mappings.accounts: duplicate key 1")


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        ("      - {source: '1', rate: 12.50}\n", 8, "mappings.m.rows[0].rate", "bare decimal number"),
        ("      - {source: '1'}\n      - {source: '1'}\n", 9, "mappings.m.rows[1]", "duplicate key 1"),
        ("      - {target: '1'}\n", 8, "mappings.m.rows[0]", "no key column 'source'"),
        ("      - just text\n", 8, "mappings.m.rows[0]", "expected a mapping"),
    ],
)
def test_inline_row_errors(tmp_path: Path, rows: str, line: int, field: str, message: str) -> None:
    body = f"mappings:\n  m:\n    kind: custom\n    key_columns: [source]\n    rows:\n{rows}"
    problem = one_problem(tmp_path, body)
    assert (problem.line, problem.field) == (line, field)
    assert message in problem.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    kind: accounts\n", "needs rows: or file:"),
        ("    kind: accounts\n    rows: []\n    file: a.csv\n", "either rows: or file:, not both"),
        ("    kind: currencies\n    rows: []\n", "'currencies' is not allowed here"),
    ],
)
def test_mapping_shape_errors(tmp_path: Path, body: str, message: str) -> None:
    problem = one_problem(tmp_path, "mappings:\n  m:\n" + body)
    assert problem.field.startswith("mappings.m") if problem.field else False
    assert message in problem.message


def test_fingerprint_follows_content() -> None:
    first = MappingConfig.model_validate({"kind": "accounts", "rows": [{"a": "1"}]})
    same = MappingConfig.model_validate({"kind": "accounts", "rows": [{"a": 1}]})
    changed = MappingConfig.model_validate({"kind": "accounts", "rows": [{"a": "2"}]})
    assert first.fingerprint == same.fingerprint != changed.fingerprint
