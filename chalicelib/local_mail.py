"""The mails the local stage sent, read back from what its embedded AWS
(moto) recorded: moto's SES keeps every message it accepts, and its public
`/moto-api/data.json` route shows them. Only `GET /local/mail` uses this,
and only on the local stage.

One code path for the tests and `make run`: the request goes to moto's own
host name, which moto intercepts in whichever process holds mock_aws; the
workers of `make run` hand it, like every AWS call of theirs, to the process
whose moto sent the mails (infra/local_aws.py). data.json lists every
object moto holds, so it costs more the more the embedded AWS holds: fine
for a developer's page, the reason no other code reads it."""
from __future__ import annotations

import email
from email import policy
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

MOTO_DATA_URL = "http://motoapi.amazonaws.com/moto-api/data.json"


def mails_to(address: str) -> list[dict[str, Any]]:
    """Every mail sent to address (any case), newest first: to, subject, text, sent_at."""
    import requests  # a dependency of moto: there only where moto is, never on Lambda

    recorded = requests.get(MOTO_DATA_URL, timeout=30).json().get("ses", {}).get("RawMessage", [])
    wanted = address.strip().lower()
    mails = [_mail(message["raw_data"]) for message in recorded]
    # moto lists them in the order it accepted them.
    return [mail for mail in reversed(mails) if mail["to"].lower() == wanted]


def _mail(raw: str) -> dict[str, Any]:
    message = email.message_from_string(raw, policy=policy.default)
    return {
        "to": parseaddr(str(message["To"]))[1],
        "subject": str(message["Subject"]),
        "text": message.get_body(("plain",)).get_content(),
        "sent_at": parsedate_to_datetime(str(message["Date"])).isoformat(),
    }
