"""Email connector: multipart (text + HTML) mail over SMTP with the standard library's ``smtplib``."""
