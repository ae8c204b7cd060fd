"""The Nue emulator: Nue's REST API (customers, catalog, orders, change orders, subscriptions, invoices,
credit memos, payment and credit applications, a change feed and webhooks) on loopback.

Entry points: :func:`.app.create_app` (a FastAPI app) and :func:`.app.sandbox_emulator` (for ``sandbox up``).
"""
