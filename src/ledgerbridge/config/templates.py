"""Workspace files written by ``ledgerbridge init``.

* :func:`render_default` — a valid starting point (workspace, hub, logging) followed by a complete example
  of connections, mappings and flows, commented out. The commented block is :func:`render_example`'s
  sections with ``# `` in front of each line, so uncommenting it gives a file that loads (tests check that).
* :func:`render_sandbox` — a workspace pointed at the running sandbox, built from the
  ``.ledgerbridge/sandbox.json`` that ``ledgerbridge sandbox up`` writes. Credentials stay in that file and
  are referenced (``{file: .ledgerbridge/sandbox.json, key: netsuite.consumer_secret}``), never copied.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ledgerbridge.errors import ConfigError

_HEADER = """\
# ledgerbridge workspace. Every key is described in docs/configuration.md.
# Check it with `ledgerbridge config check`. Relative paths are relative to this file's folder.
# Credentials are never written here: reference an environment variable ({env: NAME}) or a
# secrets file ({file: secrets.yaml, key: section.name}).
"""

_SKELETON = """\
version: 1

workspace:
  name: my-company
  timezone: UTC                     # IANA zone of schedules and fiscal periods, e.g. America/New_York

hub:
  url: sqlite:///.ledgerbridge/hub.db   # or postgresql+psycopg://ledgerbridge@db.internal/ledgerbridge
  # password: {env: LEDGERBRIDGE_HUB_PASSWORD}

logging:
  level: INFO                       # DEBUG, INFO, WARNING, ERROR
  json: false                       # true: one JSON object per line
  # file: .ledgerbridge/ledgerbridge.log
"""

_SECTIONS = """\
connections:
  netsuite:
    system: netsuite
    account_id: 1234567_SB1         # Setup > Company > Company Information
    auth:
      type: tba                     # or oauth2_client_credentials (client_id, certificate_id, private_key)
      consumer_key: {env: NETSUITE_CONSUMER_KEY}
      consumer_secret: {env: NETSUITE_CONSUMER_SECRET}
      token_id: {env: NETSUITE_TOKEN_ID}
      token_secret: {env: NETSUITE_TOKEN_SECRET}
    limits:
      concurrency: 5                # the account's limit (Setup > Integration > Integration Governance)
      headroom: 0.2                 # leave 20% of it to other integrations
  nue:
    system: nue
    api_key: {env: NUE_API_KEY}
  pigment:
    system: pigment
    import_key: {env: PIGMENT_IMPORT_KEY}
    export_key: {env: PIGMENT_EXPORT_KEY}
  slack:
    system: slack
    token: {env: SLACK_BOT_TOKEN}
    default_channel: "#finance-ops"
  email:
    system: email
    host: smtp.example.com
    port: 587
    username: ledgerbridge@example.com
    password: {env: SMTP_PASSWORD}
    sender: ledgerbridge@example.com
    recipients: [controller@example.com]

mappings:
  gl-accounts:
    kind: gl_accounts
    key_columns: [nue_revenue_category]
    rows:                           # or file: mappings/gl_accounts.csv (cells are read as text)
      - {nue_revenue_category: Subscription, netsuite_account: "4000"}
      - {nue_revenue_category: Services, netsuite_account: "4100"}

flows:
  - name: billing-to-erp
    source: nue
    target: netsuite
    trigger: {interval: 5m}
    batch: {mode: realtime, size: 100}
  - name: erp-payments-to-billing
    source: netsuite
    target: nue
    trigger: {cron: "*/15 * * * *"}
  - name: gl-actuals-to-planning
    source: netsuite
    target: pigment
    trigger: {cron: "0 * * * *"}
    batch: {mode: scheduled, interval: 1h, size: 1000}
  - name: period-close
    source: netsuite
    target: pigment
    trigger: {event: netsuite.period.closed}
  - name: budget-writeback
    enabled: false
    source: pigment
    target: netsuite
    trigger: {manual: true}
"""


def _comment_out(text: str) -> str:
    return "".join(f"# {line}" if line.strip() else "#\n" for line in text.splitlines(keepends=True))


def render_example() -> str:
    """A complete example workspace (every section filled in; secrets from environment variables)."""
    return f"{_HEADER}\n{_SKELETON}\n{_SECTIONS}"


def render_default() -> str:
    """The file ``ledgerbridge init`` writes: valid as is, with the full example commented out below."""
    intro = (
        "# Connections, mappings and flows: uncomment the parts you use and adapt them.\n"
        "# Flow names: billing-to-erp, erp-payments-to-billing, gl-actuals-to-planning, period-close,\n"
        "# ar-ap-to-planning, hierarchy-to-planning, revenue-to-planning, budget-writeback.\n"
        "#\n"
    )
    return f"{_HEADER}\n{_SKELETON}\n{intro}{_comment_out(_SECTIONS)}"


# --- sandbox -------------------------------------------------------------------------------------------

#: flows the sandbox workspace enables: (name, source system, target system, trigger)
_SANDBOX_FLOWS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("billing-to-erp", "nue", "netsuite", {"interval": "5m"}),
    ("erp-payments-to-billing", "netsuite", "nue", {"interval": "5m"}),
    ("gl-actuals-to-planning", "netsuite", "pigment", {"cron": "*/15 * * * *"}),
    ("period-close", "netsuite", "pigment", {"interval": "5m"}),
    ("ar-ap-to-planning", "netsuite", "pigment", {"cron": "0 * * * *"}),
    ("hierarchy-to-planning", "netsuite", "pigment", {"cron": "0 2 * * *"}),
    ("revenue-to-planning", "netsuite", "pigment", {"cron": "30 * * * *"}),
    ("budget-writeback", "pigment", "netsuite", {"manual": True}),
)


#: NetSuite demo seed → Pigment demo seed (docs/sandbox.md): the planning flows' mapping tables.
#: Balance-sheet and below-the-line accounts are "-" (not in the P&L model); several NetSuite accounts roll up
#: into one Pigment account, as a real FP&A model's chart is coarser than the ERP's.
_SANDBOX_ACCOUNTS: tuple[tuple[str, str], ...] = (
    *((number, "-") for number in (
        "1000", "1010", "1020", "1030", "1100", "1150", "1200", "1400", "1500", "1510", "1590", "2000",
        "2100", "2110", "2120", "2200", "2300", "2500", "2600", "3000", "3010", "3020",
        "7000", "7010", "8000", "8010", "8020",
    )),
    ("4000", "REV"), ("4010", "4000"), ("4020", "4100"), ("4030", "4000"), ("4090", "4000"),
    ("5000", "COGS"), ("5010", "5000"), ("5020", "5100"), ("5030", "5000"),
    ("6000", "OPEX"), ("6100", "6000"), ("6110", "6100"), ("6120", "6100"), ("6200", "6500"),
    ("6300", "6200"), ("6400", "6400"), ("6500", "6300"), ("6600", "6600"), ("6700", "6500"),
)  # fmt: skip
_SANDBOX_SUBSIDIARIES: tuple[tuple[str, str], ...] = (("1", "US01"), ("2", "UK01"), ("3", "DE01"))
_SANDBOX_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("1", "100"), ("2", "100"), ("3", "100"), ("4", "200"), ("5", "200"), ("6", "200"),
    ("7", "300"), ("8", "500"), ("9", "400"), ("10", "400"), ("11", "400"),
)  # fmt: skip
#: NetSuite demo classes → the Pigment demo's Class codes (hierarchy-to-planning; names would collide)
_SANDBOX_CLASSES: tuple[tuple[str, str], ...] = (("1", "10"), ("2", "20"), ("3", "30"))
#: where budget-writeback writes a Pigment account / department that several NetSuite values roll up into
_SANDBOX_BUDGET_TARGETS: dict[str, frozenset[str]] = {
    "netsuite_account": frozenset({"4010", "5010", "6110", "6200"}),
    "netsuite_department": frozenset({"1", "4", "9"}),
}
#: the NetSuite demo's default income account (its accounting preference), for plan items naming none
SANDBOX_DEFAULT_INCOME_ACCOUNT = "4010"
#: the Pigment department of GL lines that carry none
SANDBOX_UNASSIGNED_DEPARTMENT = "000"


def _mapping(kind: str, key: str, value: str, rows: tuple[tuple[str, str], ...]) -> CommentedMap:
    node = CommentedMap(kind=kind, key_columns=CommentedSeq([key]))
    node["key_columns"].fa.set_flow_style()
    targets = _SANDBOX_BUDGET_TARGETS.get(key, frozenset())
    node["rows"] = CommentedSeq(
        _flow_map(**{key: k, value: v}, **({"budget_target": "true"} if k in targets else {}))
        for k, v in rows
    )
    return node


def _planning_mappings() -> CommentedMap:
    """The sandbox's accounts / subsidiaries / departments tables for the planning flows."""
    return CommentedMap(
        {
            "planning-accounts": _mapping(
                "accounts", "netsuite_account", "pigment_account", _SANDBOX_ACCOUNTS
            ),
            "planning-entities": _mapping(
                "subsidiaries", "netsuite_subsidiary", "pigment_entity", _SANDBOX_SUBSIDIARIES
            ),
            "planning-departments": _mapping(
                "departments", "netsuite_department", "pigment_department", _SANDBOX_DEPARTMENTS
            ),
            "planning-classes": _mapping("classes", "netsuite_class", "pigment_class", _SANDBOX_CLASSES),
        }
    )


def _sandbox_params(name: str, connections: Mapping[str, Any]) -> CommentedMap | None:
    """Params a sandbox flow needs beyond its defaults."""
    if name in {"gl-actuals-to-planning", "period-close", "hierarchy-to-planning"}:
        params = CommentedMap(unassigned_department=SANDBOX_UNASSIGNED_DEPARTMENT)
        if name == "period-close":
            for system in ("slack", "email"):
                if system in connections:
                    params[f"{system}_connection"] = system
        return params
    if name == "revenue-to-planning":
        # the demo's items sold through Nue carry no income account: NetSuite posts them to its default
        return CommentedMap(default_income_account=SANDBOX_DEFAULT_INCOME_ACCOUNT)
    return None


def _trigger(spec: Mapping[str, Any]) -> CommentedMap:
    # quote cron expressions: `0 * * * *` is legal YAML unquoted, but nobody should have to know that
    items = {key: DoubleQuotedScalarString(value) if key == "cron" else value for key, value in spec.items()}
    return _flow_map(**items)


def _flow_map(**items: Any) -> CommentedMap:
    node = CommentedMap(items)
    node.fa.set_flow_style()
    return node


class _SandboxBuilder:
    """Turns one sandbox.json into connection entries; keeps the secrets-file path for references."""

    def __init__(self, sandbox: Mapping[str, Any], state_dir: str) -> None:
        self.sandbox = sandbox
        self.secrets_file = f"{state_dir}/sandbox.json"
        ca_file = sandbox.get("ca_file")
        self.ca_file = ca_file if isinstance(ca_file, str) else f"{state_dir}/sandbox-ca.pem"

    def section(self, system: str, *required: str) -> Mapping[str, Any] | None:
        entry = self.sandbox.get(system)
        if entry is None:
            return None
        if not isinstance(entry, Mapping):
            raise ConfigError(
                f"sandbox.json: '{system}' is not an object", hint="re-run `ledgerbridge sandbox up`"
            )
        for key in required:
            if not isinstance(entry.get(key), str | int) or isinstance(entry.get(key), bool):
                raise ConfigError(
                    f"sandbox.json: '{system}' has no {key}", hint="re-run `ledgerbridge sandbox up`"
                )
        return entry

    def ref(self, system: str, key: str) -> CommentedMap:
        return _flow_map(file=self.secrets_file, key=f"{system}.{key}")

    def http(self, system: str, entry: Mapping[str, Any]) -> CommentedMap:
        node = CommentedMap(system=system, base_url=str(entry["base_url"]))
        if node["base_url"].startswith("https://"):
            node["ca_file"] = self.ca_file  # `sandbox up --tls` serves with its own CA
        return node

    def netsuite(self) -> CommentedMap | None:
        entry = self.section("netsuite", "base_url", "account_id")
        if entry is None:
            return None
        node = self.http("netsuite", entry)
        node["account_id"] = str(entry["account_id"])
        if isinstance(entry.get("timezone"), str):
            node["timezone"] = entry["timezone"]  # the emulated account's zone (SuiteQL times are local)
        if "consumer_key" in entry or "client_id" not in entry:
            keys = ("consumer_key", "consumer_secret", "token_id", "token_secret")
            node["auth"] = CommentedMap(type="tba", **{key: self.ref("netsuite", key) for key in keys})
        else:
            node["auth"] = CommentedMap(
                type="oauth2_client_credentials",
                client_id=self.ref("netsuite", "client_id"),
                certificate_id=self.ref("netsuite", "certificate_id"),
                private_key=self.ref("netsuite", "private_key_pem"),
            )
        return node

    def nue(self) -> CommentedMap | None:
        entry = self.section("nue", "base_url")
        if entry is None:
            return None
        node = self.http("nue", entry)
        node["api_key"] = self.ref("nue", "api_key")
        return node

    def pigment(self) -> CommentedMap | None:
        entry = self.section("pigment", "base_url")
        if entry is None:
            return None
        node = self.http("pigment", entry)
        for key in ("import_key", "export_key", "metadata_key"):
            if key in entry:
                node[key] = self.ref("pigment", key)
        return node

    def slack(self) -> CommentedMap | None:
        entry = self.section("slack", "base_url")
        if entry is None:
            return None
        node = self.http("slack", entry)
        # the Web API lives under /api/ on the emulator, as on slack.com
        api_path = str(entry.get("api_path", "/api/")).rstrip("/")
        node["base_url"] = f"{str(entry['base_url']).rstrip('/')}{api_path}"
        node["token"] = self.ref("slack", "token")
        node["default_channel"] = "#finance"
        return node

    def email(self) -> CommentedMap | None:
        # `sandbox up` runs the SMTP emulator as "mailbox" (its HTTP side); older files named it "smtp"
        if "mailbox" in self.sandbox:
            entry = self.section("mailbox", "smtp_host", "smtp_port")
            system, host, port = "mailbox", "smtp_host", "smtp_port"
        else:
            entry = self.section("smtp", "host", "port")
            system, host, port = "smtp", "host", "port"
        if entry is None:
            return None
        node = CommentedMap(system="email", host=str(entry[host]), port=int(entry[port]), security="none")
        if entry.get("username"):
            node["username"] = str(entry["username"])
            node["password"] = self.ref(system, "password")
        node["sender"] = "ledgerbridge@sandbox.example.com"
        node["recipients"] = CommentedSeq(["finance@sandbox.example.com"])
        return node


def _dump(node: CommentedMap) -> str:
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 110
    buffer = io.StringIO()
    yaml.dump(node, buffer)
    # a blank line between top-level sections, as a person would write it
    lines: list[str] = []
    for line in buffer.getvalue().splitlines():
        if lines and line[:1].isalpha() and lines[-1].strip() and not lines[-1].startswith("#"):
            lines.append("")
        lines.append(line)
    return "\n".join(lines) + "\n"


def render_sandbox(sandbox: Mapping[str, Any], *, state_dir: str = ".ledgerbridge") -> str:
    """A workspace for the running sandbox; systems missing from ``sandbox`` (and their flows) are left out.

    ``state_dir`` is where ``sandbox.json`` (and, with ``--tls``, ``sandbox-ca.pem``) live, relative to the
    folder the workspace file is written to.
    """
    builder = _SandboxBuilder(sandbox, state_dir)
    connections = CommentedMap()
    for system, build in (
        ("netsuite", builder.netsuite),
        ("nue", builder.nue),
        ("pigment", builder.pigment),
        ("slack", builder.slack),
        ("email", builder.email),
    ):
        node = build()
        if node is not None:
            connections[system] = node

    flows = CommentedSeq()
    for name, source, target, trigger in _SANDBOX_FLOWS:
        if source in connections and target in connections:
            flow = CommentedMap(name=name, source=source, target=target, trigger=_trigger(trigger))
            params = _sandbox_params(name, connections)
            if params is not None:
                flow["params"] = params
            flows.append(flow)

    root = CommentedMap()
    root["version"] = 1
    root["workspace"] = CommentedMap(name="sandbox", timezone="UTC")
    root["hub"] = CommentedMap(url="sqlite:///.ledgerbridge/hub.db")
    root["logging"] = CommentedMap(level="INFO", json=False)
    root["connections"] = connections
    if "netsuite" in connections and "pigment" in connections:
        root["mappings"] = _planning_mappings()
    root["flows"] = flows
    root.yaml_set_comment_before_after_key(
        "connections",
        before="\nThe emulators started by `ledgerbridge sandbox up` (credentials stay in sandbox.json)",
    )
    root.yaml_set_comment_before_after_key("flows", before="\nEvery flow whose two systems the sandbox runs")
    header = (
        "# ledgerbridge workspace pointed at the local sandbox (written by `ledgerbridge init --sandbox`).\n"
        "# Every key is described in docs/configuration.md; check it with `ledgerbridge config check`.\n\n"
    )
    return header + _dump(root)
