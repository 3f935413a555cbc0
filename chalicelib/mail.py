"""Sending mail through Amazon SES (sesv2). Only consumers send mail
(chalicelib/consumers/mail.py), never a request.

Each mail goes out as a whole MIME message (SES's raw content), Date header
included: what SES (or, locally, moto) records is then the complete mail,
and `GET /local/mail` reads it back from there (chalicelib/local_mail.py)."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from string import Template
from urllib.parse import urlencode

from chalicelib import aws, clock
from chalicelib.config import LOCAL_STAGE, mail_link_base_url, mail_sender, stage
from chalicelib.mail_templates import TEMPLATES


def link(page: str, token: str | None = None) -> str:
    """The link a mail carries: a hash route of the web app (`#/page`), the
    token in its query string. A hash route because the app is static files
    (S3 behind CloudFront, or infra/web_files.py): no server answers
    `/verify-email` with index.html, while `/#/verify-email` is index.html."""
    query = f"?{urlencode({'token': token})}" if token is not None else ""
    return f"{mail_link_base_url()}/#/{page}{query}"


def send(to: str, kind: str, **values: str) -> None:
    subject, text = TEMPLATES[kind]
    message = EmailMessage()
    message["From"] = mail_sender()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message.set_content(Template(text).substitute(values))
    aws.client("sesv2").send_email(
        FromEmailAddress=mail_sender(),
        Destination={"ToAddresses": [to]},
        Content={"Raw": {"Data": message.as_bytes()}},
    )
    if stage() == LOCAL_STAGE:
        # make run's log shows every mail, so a person can follow its link.
        print(f"\n--- mail to {to}: {subject}\n{message.get_content()}---", flush=True)
