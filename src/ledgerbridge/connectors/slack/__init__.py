"""Slack connector: ``chat.postMessage`` with Block Kit blocks and incoming webhooks, paced per channel."""
