"""The import engine: run one import configuration on a pushed CSV (or its source's data) and count it.

:func:`run_import` is what an asynchronous import job calls, under the store's lock:

1. read the CSV with the configuration's format and check its header (a mismatch fails the import whole);
2. load the rows into the target list or metric(s) (:mod:`.import_list`, :mod:`.import_metric`) or run the
   data copy (:mod:`.copies`);
3. recalculate the application's derived metrics (:mod:`.formulas`), so ``Variance`` is right as soon as
   the import reports ``Completed``.
"""

from __future__ import annotations

from .copies import run_list_copy, run_metric_copy
from .csvinput import ImportFailure, read_csv
from .formulas import recalculate
from .import_list import load_list_rows
from .import_metric import load_metric_rows
from .model import Application, ImportConfiguration, ListBlock
from .outcome import ImportOutcome

__all__ = ["ImportFailure", "ImportOutcome", "run_import"]


def run_import(
    application: Application, config: ImportConfiguration, body: bytes | None, *, max_samples: int
) -> ImportOutcome:
    """Apply ``config`` to ``body`` (None: the configuration's own source). Raises ImportFailure."""
    target = application.blocks.get(config.block_id)
    if target is None:
        raise ImportFailure("BlockNotFound", f"The target block of {config.name!r} no longer exists.")
    outcome = ImportOutcome(
        block_type="List" if isinstance(target, ListBlock) else "Metric", max_samples=max_samples
    )
    if config.source == "list_copy":
        run_list_copy(application, config, outcome)
    elif config.source == "metric_copy":
        run_metric_copy(application, config, outcome)
    else:
        data = body if body is not None else (config.source_data or "").encode("utf-8")
        table = read_csv(data, config)
        if isinstance(target, ListBlock):
            load_list_rows(application, config, table, outcome)
        else:
            load_metric_rows(application, config, table, outcome)
    outcome.block(config.block_id)  # the target is always reported, even when nothing changed
    recalculate(application, outcome.changed)
    return outcome
