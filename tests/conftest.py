"""Suite-wide fixtures. Database fixtures live in tests/support/databases.py."""

pytest_plugins = ["tests.support.databases", "tests.support.logging_state", "tests.support.limiters"]
