"""Each test starts with no connection limiters: the CLI runs in the test process, and the process-global
registry (one limiter per connection name, DESIGN §4.3) would otherwise make every test world's "pigment"
connection share one 100-requests-per-minute budget across the whole suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledgerbridge.engine.limits import default_registry


@pytest.fixture(autouse=True)
def fresh_limiters() -> Iterator[None]:
    default_registry().clear()
    yield
    default_registry().clear()
