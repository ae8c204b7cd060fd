"""Tests (and the CLI they invoke) change process-wide logger state; put it back after every test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from ledgerbridge.log import CAPTURED_LOGGERS


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    names = ("ledgerbridge", *CAPTURED_LOGGERS)
    saved = {
        name: (list(logger.handlers), logger.level, logger.propagate)
        for name, logger in ((name, logging.getLogger(name)) for name in names)
    }
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if handler not in handlers:
                logger.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in logger.handlers:
                logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
