"""The SMTP emulator: an aiosmtpd listener that keeps a mailbox, readable as JSON at ``/_sandbox/mail``."""
