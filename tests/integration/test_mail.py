"""Mail goes out through SES, sent by the mail consumer (never the request);
the local stage shows what moto's SES recorded at GET /local/mail."""
from email.utils import parseaddr

import pytest
from chalice.test import Client

from app import app
from chalicelib import mail
from tests.helpers import get, get_json, register


def mails(client, to: str) -> list[dict]:
    return get_json(client, f"/local/mail?to={to}")


@pytest.fixture
def client(local_client):
    return local_client


def test_registering_sends_no_mail_until_the_consumer_runs(client, pump):
    register(client, "alice")
    assert mails(client, "alice@example.com") == []
    pump.drain()
    [sent] = mails(client, "alice@example.com")
    assert set(sent) == {"to", "subject", "text", "sent_at"}
    assert sent["to"] == "alice@example.com"
    assert sent["subject"] == "Confirm your email address"
    assert "/#/verify-email?token=" in sent["text"]
    assert sent["sent_at"].endswith("+00:00")


def test_local_mail_is_newest_first_and_only_to_that_address_in_any_case(client, aws):
    mail.send("Alice@Example.com", "verify-email", username="alice", email="a", link="http://x.test/1")
    mail.send("bob@example.com", "verify-email", username="bob", email="b", link="http://x.test/2")
    mail.send("alice@example.com", "password-reset", username="alice", link="http://x.test/3")
    found = mails(client, "ALICE@example.COM")
    assert [m["subject"] for m in found] == ["Reset your password", "Confirm your email address"]
    assert [m["to"] for m in found] == ["alice@example.com", "Alice@Example.com"]


def test_a_mail_goes_through_sesv2_from_the_configured_sender(client, aws, monkeypatch):
    sent = []
    monkeypatch.setattr(mail.aws, "client", lambda service: type("Ses", (), {
        "send_email": lambda self, **call: sent.append((service, call))})())
    monkeypatch.setenv("MAIL_SENDER", "Us <hello@mail.example.org>")
    mail.send("carol@example.com", "verify-email", username="carol", email="c", link="http://x.test/4")
    [(service, call)] = sent
    assert service == "sesv2"
    assert parseaddr(call["FromEmailAddress"])[1] == "hello@mail.example.org"
    assert call["Destination"] == {"ToAddresses": ["carol@example.com"]}
    assert b"http://x.test/4" in call["Content"]["Raw"]["Data"]


def test_the_links_are_hash_routes_of_the_configured_web_app(monkeypatch):
    monkeypatch.setenv("MAIL_LINK_BASE_URL", "https://app.example.org/")
    assert mail.link("verify-email", "abc") == "https://app.example.org/#/verify-email?token=abc"
    assert mail.link("edit") == "https://app.example.org/#/edit"


def test_the_route_needs_an_address(client, aws):
    response = get(client, "/local/mail")
    assert response.status_code == 422
    assert "to" in response.json_body["detail"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_deployed_stage_has_no_mail_route(aws, stage):
    mail.send("alice@example.com", "verify-email", username="alice", email="a", link="http://x.test/1")
    # chalice's test client sets the stage's variables (STAGE) while a request runs.
    with Client(app, stage_name=stage) as deployed:
        response = get(deployed.http, "/local/mail?to=alice@example.com")
    assert response.status_code == 404
    assert response.json_body == {"detail": "Not Found"}


def test_make_run_prints_each_mail(aws, capsys):
    mail.send("dave@example.com", "password-reset", username="dave", link="http://x.test/reset?token=t")
    printed = capsys.readouterr().out
    assert "mail to dave@example.com: Reset your password" in printed
    assert "http://x.test/reset?token=t" in printed
