"""The published answer, e-mailed to the resident who asked for it (issue 15).

The optional e-mail address on a question, view or error report is used for this one e-mail only:
in the language the resident wrote in, in plain words, with their message, the answer and a link
to the entry's questions page. It is never published and ``purge_emails`` deletes it 30 days after
the answer. If the e-mail cannot be sent the answer is still published; the failure is stored on
the item and shows in the portal's queue, where a registrant can try again. Logs name the item,
never the address or the text.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage

from babel.dates import format_date
from sqlmodel import Session

from register.i18n import N_, translator
from register.models import Algorithm, User
from register.models.accounts import utcnow
from register.models.participation import Contribution
from register.services import algorithms as algos
from register.services.accounts import require_role
from register.services.algorithms import WorkflowError
from register.services.mail import SEND_ERRORS, Mailer
from register.services.participation import EMAIL_DAYS

log = logging.getLogger(__name__)

SENT, FAILED = "sent", "failed"
NO_SERVER, NOT_DELIVERED = "no_server", "not_delivered"
#: Why an e-mail failed, as the portal says it.
ERROR_TEXTS = {
    NO_SERVER: N_("The register has no mail server set up (STADSREGISTER_SMTP_HOST), so the answer was not "
                  "e-mailed."),
    NOT_DELIVERED: N_("The mail server did not accept the e-mail. Try again later, or ask the register's "
                      "administrator."),
}
_SUBJECTS = {"question": N_("Answer to your question about %(name)s"),
             "view": N_("Answer to your message about %(name)s"),
             "error": N_("Answer to your message about %(name)s")}
_INTROS = {"question": N_("You asked a question about %(name)s in the city's algorithm register. "
                          "Here is our answer."),
           "view": N_("You gave your view on %(name)s in the city's algorithm register. Here is our answer."),
           "error": N_("You reported an error in the registration of %(name)s in the city's algorithm register. "
                       "Here is our answer.")}


def entry_name(session: Session, item: Contribution) -> str:
    algorithm = session.get(Algorithm, item.algorithm_id)
    version = algos.published_version(session, algorithm)
    return version.name if version is not None else algorithm.code


def compose(item: Contribution, *, sender: str, name: str, questions_url: str) -> EmailMessage:
    """The e-mail in the resident's language: their message, the answer and the link."""
    t = translator(item.language if item.language in ("nl", "en") else "nl")
    deleted_on = ((item.answered_at or utcnow()) + timedelta(days=EMAIL_DAYS)).date()
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = Address(addr_spec=item.email)  # one plain address, or ValueError
    mail["Subject"] = t(_SUBJECTS[item.kind], name=name)
    mail["Content-Language"] = item.language
    mail.set_content("\n\n".join([
        t(N_("Hello,")),
        t(_INTROS[item.kind], name=name),
        t(N_("Your message:")) + "\n" + item.body,
        t(N_("Our answer:")) + "\n" + (item.answer or ""),
        t(N_("You can also read the question and the answer on this page: %(url)s"), url=questions_url),
        t(N_("We do not publish your e-mail address. We delete it on %(date)s."),
          date=format_date(deleted_on, format="long", locale=item.language)),
    ]) + "\n")
    return mail


def send_answer(session: Session, item: Contribution, *, mailer: Mailer | None, questions_url: str) -> str | None:
    """E-mail the published answer to the resident, if they left an address.

    Returns ``sent``, ``failed`` or ``None`` (no address, or the answer is not published). The
    outcome is stored on the item; a failure never undoes the publication.
    """
    if not item.email or item.answer_state != "published":
        return None
    item.answer_email_at = utcnow()
    if mailer is None:
        item.answer_email_state, item.answer_email_error = FAILED, NO_SERVER
    else:
        try:
            mailer.send(compose(item, sender=mailer.sender, name=entry_name(session, item),
                                questions_url=questions_url))
        except (*SEND_ERRORS, ValueError) as error:  # ValueError: not one plain address
            log.warning("answer e-mail for contribution %s not delivered: %s", item.id, type(error).__name__)
            item.answer_email_state, item.answer_email_error = FAILED, NOT_DELIVERED
        else:
            item.answer_email_state, item.answer_email_error = SENT, None
    session.add(item)
    session.commit()
    return item.answer_email_state


def resend(session: Session, *, user: User, item: Contribution, mailer: Mailer | None,
           questions_url: str) -> str | None:
    """Try a failed answer e-mail again (any registrant of the organisation)."""
    require_role(session=session, user=user, organisation_id=item.organisation_id)
    if item.answer_email_state != FAILED or not item.email:
        raise WorkflowError(N_("There is no failed e-mail to send again."))
    return send_answer(session, item, mailer=mailer, questions_url=questions_url)


def deliver(session: Session, item: Contribution, *, config, resent_by: User | None = None) -> str | None:
    """Send the published answer to the resident's address (if any) through the configured SMTP
    server, or send a failed one again (``resent_by``: the account asking); the portal and the
    API both call this. The e-mail links the entry's questions page at the public address."""
    code = session.get(Algorithm, item.algorithm_id).code
    questions_url = f"{str(config['BASE_URL']).rstrip('/')}/algorithms/{code}/questions"
    mailer = Mailer.from_config(config)
    if resent_by is not None:
        return resend(session, user=resent_by, item=item, mailer=mailer, questions_url=questions_url)
    return send_answer(session, item, mailer=mailer, questions_url=questions_url)
