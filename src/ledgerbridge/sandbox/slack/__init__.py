"""The Slack emulator: Web API methods under ``/api/``, incoming webhooks, and a readable message store."""
