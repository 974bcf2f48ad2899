"""Sending e-mail through the configured SMTP server, for every part of the register that writes
to someone: sensor owners (issue 14) and residents who asked a question (issue 15).

Settings are ``STADSREGISTER_SMTP_HOST``, ``_PORT``, ``_SECURITY`` ("", "starttls", "ssl"),
``_USER``, ``_PASSWORD`` and ``_FROM``.  Without a host, ``Mailer.from_config`` gives ``None`` and
the caller decides what happens instead.  Callers never log addresses or message text.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

#: What ``Mailer.send`` raises when a message is not delivered.
SEND_ERRORS = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int = 25
    security: str = ""
    user: str = ""
    password: str = ""
    sender: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Mailer | None:
        if not config.get("SMTP_HOST"):
            return None
        return cls(host=str(config["SMTP_HOST"]), port=int(config.get("SMTP_PORT") or 25),
                   security=str(config.get("SMTP_SECURITY") or "").lower(), user=str(config.get("SMTP_USER") or ""),
                   password=str(config.get("SMTP_PASSWORD") or ""),
                   sender=str(config.get("SMTP_FROM") or f"stadsregister@{config['SMTP_HOST']}"))

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=10, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=10)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password)
            client.send_message(message)
