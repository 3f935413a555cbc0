"""The mails the app sends: a subject and a plain-text body per kind, with
`$name` placeholders (string.Template). Configuration, like the sender
(MAIL_SENDER) and the links' base (MAIL_LINK_BASE_URL) in config.py: edit
the texts here, the code only names the kind."""

TEMPLATES: dict[str, tuple[str, str]] = {
    "verify-email": (
        "Confirm your email address",
        "Hi $username,\n\n"
        "Please confirm that $email is your address by opening this link:\n\n"
        "$link\n\n"
        "It works once, for 24 hours. If you did not sign up, ignore this mail.\n",
    ),
    "password-reset": (
        "Reset your password",
        "Hi $username,\n\n"
        "Someone (we hope you) asked to reset the password of your account. "
        "To choose a new one, open this link:\n\n"
        "$link\n\n"
        "It works once, for one hour. If you did not ask, ignore this mail: "
        "your password stays as it is.\n",
    ),
    "export-ready": (
        "Your data export is ready",
        "Hi $username,\n\n"
        "The archive of your account's data you asked for is ready. Download it "
        "from your account settings, under \"Download your data\":\n\n"
        "$link\n\n"
        "It is available until $expires_at.\n",
    ),
}
