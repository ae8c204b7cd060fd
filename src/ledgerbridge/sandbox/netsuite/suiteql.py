"""SuiteQL on SQLite: parse with sqlglot (Oracle dialect), validate against the schema, rewrite the
NetSuite/Oracle functions into SQLite user functions, run, and shape the result as NetSuite does.

Supported: SELECT with JOIN / LEFT JOIN / WHERE / GROUP BY / HAVING / ORDER BY / UNION / sub-queries,
``FETCH FIRST n ROWS ONLY``, ``WHERE ROWNUM <= n`` (as a row limit), ``TO_DATE``, ``TO_TIMESTAMP``,
``TO_CHAR`` (dates with Oracle masks, numbers), ``BUILTIN.DF`` (display value of a reference, a
transaction's status or type), ``BUILTIN.CONSOLIDATE`` (returns its amount: consolidated rates are 1
within one currency), ``COALESCE``/``NVL``/``NVL2``/``DECODE``, ``CASE``, ``SUM`` (exact decimal),
``COUNT``/``MIN``/``MAX``/``AVG``, ``||`` (Oracle semantics: NULL is the empty string), ``SYSDATE``,
``TRUNC``, ``ADD_MONTHS``, ``LAST_DAY``, ``EXTRACT``. Refused: ``WITH`` and anything but a query.

Results: keys are the lower-cased column names or aliases (``exprN`` for unnamed expressions), values
are strings — integers as digits, decimals without float artefacts or trailing zeros, booleans ``T``/``F``,
dates and datetimes as the account date format (``M/d/yyyy``; use ``TO_CHAR`` for a time) — and NULL
columns are omitted. Every item carries ``"links": []``.

Errors (400 INVALID_PARAMETER): unknown table → ``Record '<t>' was not found.``; unknown column →
``Unknown identifier '<col>'``; syntax errors; paging outside the caps.

Speed: compiled SQL is cached per query text. ``totalResults`` is exact; for the keyset pattern
(``WHERE key > :last ... ORDER BY key ASC``) it comes from one cached sorted scan of the key column
per data version, so reading N rows in pages costs O(N log N), not O(N²).
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema
from sqlglot.time import format_time

from ledgerbridge.money import Period
from ledgerbridge.sandbox.netsuite import codec, dates
from ledgerbridge.sandbox.netsuite.errors import NsError
from ledgerbridge.sandbox.netsuite.recordtypes import STATUSES, TRANSACTION_LABEL
from ledgerbridge.sandbox.netsuite.schema import TABLES, glot_schema

# Built once: sqlglot would otherwise rebuild (and re-normalise) the schema for every query.
_GLOT_SCHEMA = MappingSchema(dict(glot_schema()), dialect="oracle")
_PREFIX = "Invalid search query. Detailed unprocessed description follows. "
_DF_SPECIAL = {
    ("transaction", "status"): "NS_DF_STATUS",
    ("transaction", "type"): "NS_DF_TYPE",
}
_DISPLAY_SQL = {"transaction": 'NS_TRAN_DISPLAY("__df"."type", "__df"."tranid")'}
_SQL_DT = "%Y-%m-%d %H:%M:%S"
_ORACLE = Oracle()


@dataclass(frozen=True, slots=True)
class Compiled:
    sql: str
    names: tuple[str, ...]
    date_columns: frozenset[int]  # positions whose values are dates/datetimes
    has_limit: bool
    keyset: tuple[str, str, Any] | None  # (key-scan SQL, operator, literal)

    def bind(self, values: dict[str, str]) -> Compiled:
        """Put a query's own integer literals into a template compiled with sentinel numbers."""
        if not values:
            return self
        sql = self.sql
        keyset = self.keyset
        for sentinel, value in values.items():
            sql = sql.replace(sentinel, value)
        if keyset is not None:
            scan, op, literal = keyset
            for sentinel, value in values.items():
                scan = scan.replace(sentinel, value)
            mapped = values.get(str(literal)) if isinstance(literal, Decimal) else None
            keyset = (scan, op, Decimal(mapped) if mapped is not None else literal)
        return Compiled(sql, self.names, self.date_columns, self.has_limit, keyset)


_COMPARISONS = {TokenType.GT, TokenType.GTE, TokenType.LT, TokenType.LTE, TokenType.EQ, TokenType.NEQ}
_SENTINEL_BASE = 7_391_046_000_000


def templatize(query: str) -> tuple[tuple[tuple[str, str], ...], str, dict[str, str]]:
    """(cache key, query with sentinels, sentinel → literal) for integer literals after a comparison.

    Keyset paging sends the same query with a new ``id > N`` every page; compiling it once per shape
    instead of once per page keeps a million-row read linear. ``ROWNUM`` queries are not templated (the
    compiler turns their number into a row limit).
    """
    try:
        tokens = _ORACLE.tokenize(query)
    except SqlglotError:
        return (("raw", query),), query, {}
    if any(t.text.upper() == "ROWNUM" for t in tokens):
        return tuple((t.token_type.name, t.text) for t in tokens), query, {}
    key: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    pieces: list[str] = []
    cursor = 0
    previous: TokenType | None = None
    for token in tokens:
        if token.token_type == TokenType.NUMBER and previous in _COMPARISONS and token.text.isdigit():
            sentinel = str(_SENTINEL_BASE + len(values))
            values[sentinel] = token.text
            pieces.append(query[cursor : token.start])
            pieces.append(sentinel)
            cursor = token.end + 1
            key.append(("NUMBER", "?"))
        else:
            key.append((token.token_type.name, token.text))
        previous = token.token_type
    pieces.append(query[cursor:])
    return tuple(key), "".join(pieces), values


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    has_more: bool


def _fail(detail: str) -> NsError:
    return NsError.invalid_parameter(_PREFIX + detail)


# --- compile -------------------------------------------------------------------------------------
def compile_query(query: str) -> Compiled:
    text = query.strip().rstrip(";").strip()
    if not text:
        raise NsError.invalid_parameter("The query is empty. Provide a SuiteQL query in the 'q' field.")
    try:
        statements = sqlglot.parse(text, read="oracle")
    except (ParseError, SqlglotError) as exc:
        raise _fail(f"Syntax error: {_first_line(exc)}") from None
    if len(statements) != 1 or statements[0] is None:
        raise _fail("Only one statement can be run at a time.")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise _fail("Only SELECT queries are supported.")
    if tree.find(exp.With) is not None or tree.find(exp.CTE) is not None:
        raise _fail("WITH clauses (common table expressions) are not supported in SuiteQL.")
    tree = tree.transform(_builtins)
    rownum_limit = _take_rownum(tree)
    _check_tables(tree)
    assert isinstance(tree, exp.Query)
    raw_names = _projection_names(tree)
    try:
        tree = qualify(tree, schema=_GLOT_SCHEMA, dialect="oracle", validate_qualify_columns=True)
        tree = annotate_types(tree, schema=_GLOT_SCHEMA, dialect="oracle")
    except OptimizeError as exc:
        raise _unknown_identifier(str(exc), text) from None
    except SqlglotError as exc:
        raise _fail(_first_line(exc)) from None
    assert isinstance(tree, exp.Query)
    outer = _outer_select(tree)
    date_cols = frozenset(i for i, p in enumerate(outer.selects) if _is_date_type(p))
    names = tuple(_final_names(raw_names, outer))
    aliases = _table_aliases(tree)
    tree = tree.transform(lambda node: _rewrite(node, aliases))
    if rownum_limit is not None and isinstance(tree, exp.Select) and tree.args.get("limit") is None:
        tree = tree.limit(rownum_limit)
    keyset = _keyset(tree)
    try:
        sql = tree.sql(dialect="sqlite")
    except SqlglotError as exc:
        raise _fail(_first_line(exc)) from None
    has_limit = tree.args.get("limit") is not None or tree.args.get("offset") is not None
    return Compiled(sql, names, date_cols, has_limit, keyset)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _builtins(node: exp.Expr) -> exp.Expr:
    """BUILTIN.DF(x) / BUILTIN.CONSOLIDATE(x, ...) arrive as Dot(BUILTIN, f(...))."""
    if (
        isinstance(node, exp.Dot)
        and isinstance(node.this, exp.Identifier)
        and node.this.name.upper() == "BUILTIN"
    ):
        func = node.expression
        if isinstance(func, exp.Anonymous):
            args = list(func.expressions)
            name = func.name.upper()
            if name == "DF" and len(args) == 1:
                return exp.Anonymous(this="BUILTIN_DF", expressions=args)
            if name == "CONSOLIDATE" and args:
                first: exp.Expr = args[0]
                return first
            raise _fail(f"Unsupported function BUILTIN.{name}.")
    return node


def _take_rownum(tree: exp.Expr) -> int | None:
    """``WHERE ROWNUM <= n`` (a top-level conjunct of the outer query) becomes a row limit."""
    if not isinstance(tree, exp.Select):
        return None
    where = tree.args.get("where")
    if where is None:
        return None
    limit: int | None = None
    for cond in list(where.this.flatten() if isinstance(where.this, exp.And) else [where.this]):
        if (
            isinstance(cond, exp.LTE | exp.LT)
            and _is_rownum(cond.this)
            and isinstance(cond.expression, exp.Literal)
        ):
            limit = int(cond.expression.name) - (1 if isinstance(cond, exp.LT) else 0)
            _drop_condition(tree, cond)
    return limit


def _is_rownum(node: exp.Expr) -> bool:
    return isinstance(node, exp.Column) and not node.table and node.name.upper() == "ROWNUM"


def _drop_condition(tree: exp.Select, cond: exp.Expr) -> None:
    where = tree.args["where"]
    if where.this is cond:
        tree.set("where", None)
        return
    cond.replace(exp.true())


def _check_tables(tree: exp.Expr) -> None:
    derived = {(sub.alias_or_name or "").lower() for sub in tree.find_all(exp.Subquery) if sub.alias_or_name}
    for table in tree.find_all(exp.Table):
        name = table.name.lower()
        if name not in TABLES and name not in derived:
            raise _fail(f"Search error occurred: Record '{table.name}' was not found.")


def _projection_names(tree: exp.Query) -> list[str | None]:
    """Names the user gave (alias or column name); None where NetSuite invents ``exprN``."""
    outer = _outer_select(tree)
    names: list[str | None] = []
    for proj in outer.selects:
        if isinstance(proj, exp.Alias):
            names.append(proj.alias)
        elif isinstance(proj, exp.Column) and not isinstance(proj.this, exp.Star):
            names.append(proj.name)
        elif isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
            names.append("*")
        else:
            names.append(None)
    return names


def _final_names(raw: list[str | None], outer: exp.Select) -> list[str]:
    out: list[str] = []
    counter = 0
    if "*" in raw:
        # A star expands to the table's columns; use the qualified projection names.
        return [p.alias_or_name.lower() for p in outer.selects]
    for given in raw:
        if given is None:
            counter += 1
            out.append(f"expr{counter}")
        else:
            out.append(given.lower())
    return out


def _outer_select(tree: exp.Query) -> exp.Select:
    node: exp.Expr = tree
    while isinstance(node, exp.SetOperation):
        node = node.this
    if isinstance(node, exp.Subquery):
        node = node.unnest()
    if not isinstance(node, exp.Select):
        raise _fail("Unsupported query shape.")
    return node


_DATE_FUNCS = (exp.AddMonths, exp.LastDay, exp.DateTrunc, exp.TimestampTrunc, exp.StrToDate, exp.StrToTime,
               exp.CurrentDate, exp.CurrentTimestamp)  # fmt: skip


def _is_date_type(projection: exp.Expr) -> bool:
    dtype = projection.type
    if dtype is not None and dtype.is_type(
        exp.DataType.Type.DATE, exp.DataType.Type.DATETIME, exp.DataType.Type.TIMESTAMP
    ):
        return True
    # sqlglot leaves some Oracle date functions untyped; their results are dates all the same.
    inner = projection.this if isinstance(projection, exp.Alias) else projection
    if isinstance(inner, _DATE_FUNCS):
        return True
    if isinstance(inner, exp.Anonymous) and inner.name.upper() in ("TRUNC", "ADD_MONTHS", "LAST_DAY"):
        return bool(inner.expressions) and _is_date_type(inner.expressions[0])
    return False


def _unknown_identifier(message: str, query: str) -> NsError:
    match = re.search(r"Column '([^']+)'", message) or re.search(r"Unknown column: (\S+)", message)
    if not match:
        return _fail(message.splitlines()[0])
    name = match.group(1).strip('"')
    original = re.search(rf"\b{re.escape(name)}\b", query, re.IGNORECASE)
    shown = original.group(0) if original else name.lower()
    return NsError.unknown_identifier(shown)


def _table_aliases(tree: exp.Expr) -> dict[str, str]:
    return {t.alias_or_name.upper(): t.name.lower() for t in tree.find_all(exp.Table)}


def _rewrite(node: exp.Expr, aliases: dict[str, str]) -> exp.Expr:
    if isinstance(node, exp.Sum) and not isinstance(node.this, exp.Distinct):
        return exp.Anonymous(this="NS_SUM", expressions=[node.this])
    if isinstance(node, exp.Anonymous) and node.name.upper() == "BUILTIN_DF":
        return _display(node.expressions[0], aliases)
    if isinstance(node, exp.ToChar):
        fmt = node.args.get("format")
        return _call("NS_TO_CHAR", node.this, fmt or exp.null(), exp.Literal.string("oracle"))
    if isinstance(node, exp.TimeToStr):
        return _call(
            "NS_TO_CHAR", node.this, node.args.get("format") or exp.null(), exp.Literal.string("strftime")
        )
    if isinstance(node, exp.StrToTime | exp.StrToDate):
        return _call("NS_TO_DATE", node.this, node.args.get("format") or exp.null())
    if isinstance(node, exp.CurrentTimestamp | exp.CurrentDate):
        return _call("NS_SYSDATE")
    if isinstance(node, exp.DPipe):
        return exp.DPipe(this=_call("NS_STR", node.this), expression=_call("NS_STR", node.expression))
    if isinstance(node, exp.DateTrunc | exp.TimestampTrunc):
        unit = node.args.get("unit")
        unit_text = unit.name if isinstance(unit, exp.Expr) else str(unit or "DD")
        return _call("TRUNC", node.this, exp.Literal.string(unit_text))
    if isinstance(node, exp.Extract):
        return _call("NS_EXTRACT", exp.Literal.string(node.this.name.upper()), node.expression)
    if isinstance(node, exp.LastDay):
        return _call("LAST_DAY", node.this)
    if isinstance(node, exp.AddMonths):
        return _call("ADD_MONTHS", node.this, node.expression)
    return node


def _call(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def _display(arg: exp.Expr, aliases: dict[str, str]) -> exp.Expr:
    if not isinstance(arg, exp.Column):
        return arg
    table = aliases.get(arg.table.upper()) if arg.table else None
    if table is None:
        return arg
    column = arg.name.lower()
    special = _DF_SPECIAL.get((table, column))
    if special == "NS_DF_STATUS":
        type_col = exp.column("type", table=arg.table, quoted=True)
        return _call(special, type_col, arg.copy())
    if special is not None:
        return _call(special, arg.copy())
    col = TABLES[table].columns.get(column)
    if col is None or col.ref is None:
        return arg
    target = TABLES[col.ref]
    shown = _DISPLAY_SQL.get(target.name) or (f'"__df"."{target.display}"' if target.display else None)
    if shown is None:
        return arg
    sub = sqlglot.parse_one(
        f'(SELECT {shown} FROM "{target.name}" AS "__df" WHERE "__df"."id" = "__ns_placeholder")',
        read="sqlite",
    )
    for placeholder in sub.find_all(exp.Column):
        if placeholder.name == "__ns_placeholder":
            placeholder.replace(arg.copy())
    return sub


def _keyset(tree: exp.Expr) -> tuple[str, str, Any] | None:
    """Spot ``WHERE ... AND key > literal ... ORDER BY key ASC`` on a plain select."""
    if not isinstance(tree, exp.Select) or tree.args.get("limit") or tree.args.get("group"):
        return None
    if tree.args.get("distinct") or any(p.find(exp.AggFunc) for p in tree.selects):
        return None
    order = tree.args.get("order")
    where = tree.args.get("where")
    if order is None or where is None or not order.expressions:
        return None
    first = order.expressions[0]
    if first.args.get("desc"):
        return None
    key = first.this
    conds = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    for cond in conds:
        if isinstance(cond, exp.GT | exp.GTE) and isinstance(cond.expression, exp.Literal):
            if not _same_key(cond.this, key, tree):
                continue
            literal = cond.expression
            value: Any = literal.name if literal.is_string else Decimal(literal.name)
            rest = tree.copy()
            rest_where = rest.args["where"]
            for candidate in list(rest_where.find_all(type(cond))):
                if candidate == cond:
                    if rest_where.this is candidate:
                        rest.set("where", None)
                    else:
                        candidate.replace(exp.true())
                    break
            rest.set("order", None)
            scan = rest.select(_key_expression(key, tree).copy().as_("__key"), append=False)
            scan = scan.order_by(exp.column("__key", quoted=True))
            op = ">" if isinstance(cond, exp.GT) else ">="
            return scan.sql(dialect="sqlite"), op, value
    return None


def _key_expression(key: exp.Expr, tree: exp.Select) -> exp.Expr:
    """ORDER BY may name a projection alias; resolve it to the projected expression."""
    if isinstance(key, exp.Column) and not key.table:
        for proj in tree.selects:
            if isinstance(proj, exp.Alias) and proj.alias.upper() == key.name.upper():
                inner: exp.Expr = proj.this
                return inner
    return key


def _same_key(candidate: exp.Expr, key: exp.Expr, tree: exp.Select) -> bool:
    return candidate == _key_expression(key, tree)


# --- SQLite functions ----------------------------------------------------------------------------
class _DecimalSum:
    """Exact SUM: each double is read back as the shortest decimal that produced it."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.count = 0
        self.all_int = True

    def step(self, value: Any) -> None:
        self._add(value, 1)

    def inverse(self, value: Any) -> None:
        self._add(value, -1)

    def _add(self, value: Any, sign: int) -> None:
        if value is None:
            return
        number = _to_decimal(value)
        if number is None:
            return
        if not isinstance(value, int):
            self.all_int = False
        self.total += sign * number
        self.count += sign

    def value(self) -> Any:
        if self.count == 0:
            return None
        if self.all_int:
            return int(self.total)
        # The exact sum, handed back as the double nearest to it: its repr is that exact decimal for
        # anything up to 15 significant digits (so 0.1 + 0.2 comes back as 0.3, not 0.30000000000000004).
        return float(self.total)

    def finalize(self) -> Any:
        return self.value()


def _to_decimal(value: Any) -> Decimal | None:
    try:
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _day_of(value: Any) -> date | None:
    """Fast path for the stored ``YYYY-MM-DD HH:MM:SS`` text (result shaping calls this per cell)."""
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        try:
            return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            return None
    moment = _parse_dt(value)
    return moment.date() if moment else None


def _parse_dt(value: Any) -> datetime | None:
    if value is None:
        return None
    text = str(value).strip()
    for fmt in (_SQL_DT, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def number_text(value: float | int | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        # Fast path (most cells): a short repr is already the exact decimal the amount was stored from.
        if "e" not in text and "n" not in text and len(text) <= 16:
            text = text[:-2] if text.endswith(".0") else text
            return "0" if text == "-0" else text
        dec = Decimal(repr(value))
        if len(dec.as_tuple().digits) > 15:
            dec = Decimal(format(value, ".15g"))
        return codec.number_text(dec)
    return codec.number_text(value)


class Functions:
    """The user functions the rewritten SQL calls; bound to the account's date format and clock."""

    def __init__(self, date_format: str, now_local: Callable[[], datetime]) -> None:
        self.date_format = date_format
        self.now_local = now_local

    def register(self, conn: sqlite3.Connection) -> None:
        conn.create_window_function("NS_SUM", 1, _DecimalSum)
        conn.create_function("NS_TO_CHAR", 3, self.to_char, deterministic=True)
        conn.create_function("NS_TO_DATE", 2, self.to_date, deterministic=True)
        conn.create_function("NS_SYSDATE", 0, self.sysdate)
        conn.create_function("NS_STR", 1, self.to_str, deterministic=True)
        conn.create_function("TRUNC", 1, lambda v: self.trunc(v, None), deterministic=True)
        conn.create_function("TRUNC", 2, self.trunc, deterministic=True)
        conn.create_function("ADD_MONTHS", 2, self.add_months, deterministic=True)
        conn.create_function("LAST_DAY", 1, self.last_day, deterministic=True)
        conn.create_function("NS_EXTRACT", 2, self.extract, deterministic=True)
        conn.create_function("NS_DF_STATUS", 2, self.df_status, deterministic=True)
        conn.create_function("NS_DF_TYPE", 1, self.df_type, deterministic=True)
        conn.create_function("NS_TRAN_DISPLAY", 2, self.tran_display, deterministic=True)

    def to_char(self, value: Any, fmt: str | None, kind: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, int | float):
            return number_text(value)
        moment = _parse_dt(value)
        if moment is None:
            return str(value)
        if fmt is None:
            return dates.format_date(moment.date(), self.date_format)
        if kind == "strftime":  # sqlglot already translated the mask; drop Oracle's literal quotes
            return moment.strftime(fmt.replace('"', ""))
        # Oracle masks quote literal text in double quotes ("T"); map only the parts outside quotes.
        parts = fmt.split('"')
        pattern = "".join(
            part.replace("%", "%%")
            if index % 2
            else (format_time(part, Oracle.TIME_MAPPING, Oracle.TIME_TRIE) or "")
            for index, part in enumerate(parts)
        )
        return moment.strftime(pattern)

    def to_date(self, value: Any, fmt: str | None) -> str | None:
        if value is None:
            return None
        existing = _parse_dt(value)
        if existing is not None and fmt is None:
            return existing.strftime(_SQL_DT)
        text = str(value).strip()
        if fmt is None:
            return datetime.combine(dates.parse(text, self.date_format), datetime.min.time()).strftime(
                _SQL_DT
            )
        return datetime.strptime(text, fmt).strftime(_SQL_DT)

    def sysdate(self) -> str:
        return self.now_local().strftime(_SQL_DT)

    @staticmethod
    def to_str(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, int | float):
            return number_text(value)
        return str(value)

    @staticmethod
    def trunc(value: Any, unit: str | None) -> Any:
        if value is None:
            return None
        if isinstance(value, int | float):
            return int(value)
        moment = _parse_dt(value)
        if moment is None:
            return value
        code = (unit or "DD").upper()
        day = moment.date()
        if code in ("MM", "MON", "MONTH"):
            day = day.replace(day=1)
        elif code in ("YYYY", "YY", "YEAR"):
            day = day.replace(month=1, day=1)
        elif code in ("Q",):
            day = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return f"{day.isoformat()} 00:00:00"

    @staticmethod
    def add_months(value: Any, months: Any) -> str | None:
        moment = _parse_dt(value)
        if moment is None or months is None:
            return None
        target = Period.of(moment.date()) + int(months)
        day = min(moment.day, target.end.day)
        return datetime.combine(date(target.year, target.month, day), moment.time()).strftime(_SQL_DT)

    @staticmethod
    def last_day(value: Any) -> str | None:
        moment = _parse_dt(value)
        if moment is None:
            return None
        return datetime.combine(Period.of(moment.date()).end, moment.time()).strftime(_SQL_DT)

    @staticmethod
    def extract(part: str, value: Any) -> int | None:
        moment = _parse_dt(value)
        if moment is None:
            return None
        return int(
            getattr(moment, {"YEAR": "year", "MONTH": "month", "DAY": "day", "HOUR": "hour"}.get(part, "day"))
        )

    @staticmethod
    def df_status(tx_type: Any, status: Any) -> str | None:
        if status is None:
            return None
        label = TRANSACTION_LABEL.get(str(tx_type), str(tx_type))
        name = STATUSES.get(str(tx_type), {}).get(str(status), str(status))
        return f"{label} : {name}"

    @staticmethod
    def df_type(tx_type: Any) -> str | None:
        return None if tx_type is None else TRANSACTION_LABEL.get(str(tx_type), str(tx_type))

    @staticmethod
    def tran_display(tx_type: Any, tranid: Any) -> str | None:
        label = TRANSACTION_LABEL.get(str(tx_type), str(tx_type))
        return f"{label} #{tranid}" if tranid else label


# --- run -----------------------------------------------------------------------------------------
class SuiteQL:
    """Compiles (cached), runs and pages SuiteQL queries against one connection."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        date_format: str,
        max_page: int,
        max_results: int,
        version: Callable[[], int],
    ) -> None:
        self.conn = conn
        self.date_format = date_format
        self.max_page = max_page
        self.max_results = max_results
        self._version = version
        self._compiled: OrderedDict[tuple[tuple[str, str], ...], Compiled] = OrderedDict()
        self._keys: OrderedDict[tuple[str, int], list[Any]] = OrderedDict()
        self._counts: OrderedDict[tuple[str, int], int] = OrderedDict()

    def compiled(self, query: str) -> Compiled:
        key, text, values = templatize(query)
        hit = self._compiled.get(key)
        if hit is None:
            hit = compile_query(text) if values else compile_query(query)
            self._compiled[key] = hit
            if len(self._compiled) > 512:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key)
        return hit.bind(values)

    def check_paging(self, limit: int, offset: int) -> None:
        if limit < 1 or limit > self.max_page:
            raise NsError.invalid_parameter(
                f"Invalid value for the 'limit' parameter: {limit}. It must be from 1 to {self.max_page}.",
                query_param="limit",
            )
        if offset < 0 or offset % limit != 0:
            raise NsError.invalid_parameter(
                f"Invalid value for the 'offset' parameter: {offset}. The offset must be a multiple of the "
                f"limit ({limit}).",
                query_param="offset",
            )
        if offset + limit > self.max_results:
            raise NsError.invalid_parameter(
                f"The query result is limited to {self.max_results} rows: offset {offset} with limit {limit} "
                "reaches past it. Narrow the query (for example WHERE id > :last ORDER BY id ASC).",
                query_param="offset",
            )

    def run(self, query: str, *, limit: int, offset: int) -> Page:
        self.check_paging(limit, offset)
        compiled = self.compiled(query)
        if compiled.has_limit:
            sql = f"SELECT * FROM ({compiled.sql}) LIMIT ? OFFSET ?"
        else:
            sql = f"{compiled.sql} LIMIT ? OFFSET ?"
        rows = self._execute(sql, (limit, offset))
        if offset == 0 and len(rows) < limit:
            total = len(rows)
        else:
            total = self._total(compiled)
        items = [self._shape(compiled, row) for row in rows]
        return Page(items, total, offset + len(rows) < total)

    def _execute(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _fail(_sqlite_message(exc)) from None

    def _total(self, compiled: Compiled) -> int:
        version = self._version()
        if compiled.keyset is not None:
            scan_sql, op, literal = compiled.keyset
            keys = self._cached(self._keys, (scan_sql, version), lambda: self._scan(scan_sql))
            if keys is not None and _comparable(keys, literal):
                probe = literal if isinstance(literal, str) else float(literal)
                index = bisect.bisect_right(keys, probe) if op == ">" else bisect.bisect_left(keys, probe)
                return len(keys) - index
        count_sql = f"SELECT COUNT(*) FROM ({compiled.sql})"
        return int(
            self._cached(self._counts, (count_sql, version), lambda: int(self._execute(count_sql, ())[0][0]))
        )

    def _scan(self, sql: str) -> list[Any]:
        return [r[0] for r in self._execute(sql, ()) if r[0] is not None]

    @staticmethod
    def _cached(
        store: OrderedDict[tuple[str, int], Any], key: tuple[str, int], make: Callable[[], Any]
    ) -> Any:
        if key in store:
            store.move_to_end(key)
            return store[key]
        value = make()
        store[key] = value
        while len(store) > 8:
            store.popitem(last=False)
        return value

    def _shape(self, compiled: Compiled, row: tuple[Any, ...]) -> dict[str, Any]:
        item: dict[str, Any] = {"links": []}
        for index, (name, value) in enumerate(zip(compiled.names, row, strict=False)):
            if value is None:
                continue
            if index in compiled.date_columns:
                day = _day_of(value)
                item[name] = dates.format_date(day, self.date_format) if day else str(value)
            elif isinstance(value, int | float):
                item[name] = number_text(value)
            elif isinstance(value, bytes):
                item[name] = value.decode("utf-8", "replace")
            else:
                item[name] = str(value)
        return item


def _comparable(keys: list[Any], literal: Any) -> bool:
    if not keys:
        return True
    sample = keys[0]
    if isinstance(literal, str):
        return all(isinstance(k, str) for k in (keys[0], keys[-1]))
    return isinstance(sample, int | float) and isinstance(keys[-1], int | float)


def _sqlite_message(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "no such function" in text:
        return f"Search error occurred: {text.replace('no such function', 'Unsupported function')}."
    if "user-defined function raised exception" in text:
        return "Search error occurred: a function could not read its argument (check TO_DATE/TO_CHAR masks)."
    return f"Search error occurred: {text}."
