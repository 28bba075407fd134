"""The seed's named email templates with their defaults in English, German and French.

Bodies are HTML; the plain-text alternative is derived from the rendered HTML. Variables
are the seed's (``{{customer_name}}`` ...) and a few more, listed in ``VARIABLES``."""

from __future__ import annotations

from typing import Literal, get_args

TemplateName = Literal[
    "invoice_issued",
    "invoice_reminder",
    "payment_receipt",
    "payment_failed",
    "payment_method_expiring",
    "upcoming_due",
    "past_due_gentle",
    "past_due_firm",
    "past_due_final",
    "dunning_gentle",
    "dunning_firm",
    "dunning_final",
]
TEMPLATE_NAMES: tuple[str, ...] = get_args(TemplateName)

# name -> what it means (the documentation and the preview's sample data use it).
VARIABLES: dict[str, str] = {
    "customer_name": "The customer's (account's) name",
    "invoice_number": "Invoice number",
    "amount_due": "Amount due, formatted for the customer's locale",
    "due_date": "Due date, formatted for the customer's locale",
    "invoice_url": "Link to view the invoice",
    "pay_now_url": "Direct payment link",
    "company_name": "Your company (organization) name",
    "update_payment_link": "Link where the customer updates their payment method",
    "total": "Invoice total, formatted",
    "amount_paid": "Amount paid so far, formatted",
    "issue_date": "Issue date, formatted",
    "paid_date": "Date the invoice was paid, formatted",
    "autopay": "True when AutoPay collects the invoice: {% if autopay %}...{% else %}...{% endif %}",
    "autopay_date": "When AutoPay charges the invoice, formatted (empty without AutoPay)",
    "payment_method": "The method AutoPay charges, e.g. Visa •••• 4242 (empty without AutoPay)",
    "line_items": "The invoice's lines: {% for item in line_items %}{{item.description}} {{item.quantity}} {{item.amount}}{% endfor %}",
}

LANGUAGES = ("en", "de", "fr")

# (subject, fromName, body) per template and language. Bodies use {{ }} variables only;
# the button links are the seed's variables too.
_P = "<p>{}</p>"


def _body(*paragraphs: str) -> str:
    return "\n".join(_P.format(p) for p in paragraphs)


def _summary(total: str) -> str:
    """The line item summary the seed's invoice email shows, then the total."""
    cell = 'style="padding:2px 12px 2px 0"'
    right = 'style="padding:2px 0 2px 12px;text-align:right"'
    return (
        '\n<table role="presentation" style="border-collapse:collapse">'
        "{% for item in line_items %}"
        f"<tr><td {cell}>{{{{ item.description }}}}</td><td {right}>{{{{ item.quantity }}}}</td>"
        f"<td {right}>{{{{ item.amount }}}}</td></tr>"
        "{% endfor %}"
        f'<tr><td {cell} colspan="2"><b>{total}</b></td><td {right}><b>{{{{total}}}}</b></td></tr>'
        "</table>\n"
    )


DEFAULTS: dict[str, dict[str, tuple[str, str, str]]] = {
    "invoice_issued": {
        "en": (
            "Invoice {{invoice_number}} from {{company_name}}",
            "{{company_name}} Billing",
            _body(
                "Hi {{customer_name}},",
                "Your invoice {{invoice_number}} for {{amount_due}} is ready. "
                "{% if autopay %}It will be charged automatically on {{autopay_date}} to your "
                "{{payment_method}} (AutoPay); no action is required.{% else %}It is due on {{due_date}}.{% endif %}",
            )
            + _summary("Total")
            + _body(
                '<a href="{{invoice_url}}">Review invoice</a>'
                '{% if not autopay %} · <a href="{{pay_now_url}}">Pay now</a>{% endif %}',
                "Thank you,<br>{{company_name}}",
            ),
        ),
        "de": (
            "Rechnung {{invoice_number}} von {{company_name}}",
            "{{company_name}} Buchhaltung",
            _body(
                "Hallo {{customer_name}},",
                "Ihre Rechnung {{invoice_number}} über {{amount_due}} ist bereit. "
                "{% if autopay %}Sie wird am {{autopay_date}} automatisch von Ihrer {{payment_method}} "
                "abgebucht (AutoPay); Sie müssen nichts tun.{% else %}Sie ist fällig am {{due_date}}.{% endif %}",
            )
            + _summary("Gesamtbetrag")
            + _body(
                '<a href="{{invoice_url}}">Rechnung ansehen</a>'
                '{% if not autopay %} · <a href="{{pay_now_url}}">Jetzt bezahlen</a>{% endif %}',
                "Vielen Dank,<br>{{company_name}}",
            ),
        ),
        "fr": (
            "Facture {{invoice_number}} de {{company_name}}",
            "{{company_name}} Facturation",
            _body(
                "Bonjour {{customer_name}},",
                "Votre facture {{invoice_number}} d’un montant de {{amount_due}} est disponible. "
                "{% if autopay %}Elle sera prélevée automatiquement le {{autopay_date}} sur votre "
                "{{payment_method}} (AutoPay) ; aucune action n’est requise."
                "{% else %}Elle est payable au plus tard le {{due_date}}.{% endif %}",
            )
            + _summary("Total")
            + _body(
                '<a href="{{invoice_url}}">Voir la facture</a>'
                '{% if not autopay %} · <a href="{{pay_now_url}}">Payer</a>{% endif %}',
                "Merci,<br>{{company_name}}",
            ),
        ),
    },
    "invoice_reminder": {
        "en": (
            "Reminder: invoice {{invoice_number}} is due on {{due_date}}",
            "{{company_name}} Billing",
            _body(
                "Hi {{customer_name}},",
                "This is a reminder that invoice {{invoice_number}} for {{amount_due}} is due on {{due_date}}.",
                '<a href="{{pay_now_url}}">Pay now</a>',
                "Thank you,<br>{{company_name}}",
            ),
        ),
        "de": (
            "Erinnerung: Rechnung {{invoice_number}} ist am {{due_date}} fällig",
            "{{company_name}} Buchhaltung",
            _body(
                "Hallo {{customer_name}},",
                "wir möchten Sie daran erinnern, dass die Rechnung {{invoice_number}} über {{amount_due}} "
                "am {{due_date}} fällig ist.",
                '<a href="{{pay_now_url}}">Jetzt bezahlen</a>',
                "Vielen Dank,<br>{{company_name}}",
            ),
        ),
        "fr": (
            "Rappel : la facture {{invoice_number}} est due le {{due_date}}",
            "{{company_name}} Facturation",
            _body(
                "Bonjour {{customer_name}},",
                "Nous vous rappelons que la facture {{invoice_number}} de {{amount_due}} est due le {{due_date}}.",
                '<a href="{{pay_now_url}}">Payer</a>',
                "Merci,<br>{{company_name}}",
            ),
        ),
    },
    "payment_receipt": {
        "en": (
            "Receipt for invoice {{invoice_number}}",
            "{{company_name}} Billing",
            _body(
                "Hi {{customer_name}},",
                "We received your payment of {{amount_paid}} for invoice {{invoice_number}} on {{paid_date}}. "
                "Your receipt is attached.",
                "Thank you for your business,<br>{{company_name}}",
            ),
        ),
        "de": (
            "Zahlungsbestätigung für Rechnung {{invoice_number}}",
            "{{company_name}} Buchhaltung",
            _body(
                "Hallo {{customer_name}},",
                "wir haben Ihre Zahlung über {{amount_paid}} für die Rechnung {{invoice_number}} am "
                "{{paid_date}} erhalten. Die Zahlungsbestätigung finden Sie im Anhang.",
                "Vielen Dank,<br>{{company_name}}",
            ),
        ),
        "fr": (
            "Reçu pour la facture {{invoice_number}}",
            "{{company_name}} Facturation",
            _body(
                "Bonjour {{customer_name}},",
                "Nous avons bien reçu votre paiement de {{amount_paid}} pour la facture {{invoice_number}} "
                "le {{paid_date}}. Votre reçu est joint.",
                "Merci,<br>{{company_name}}",
            ),
        ),
    },
    "payment_failed": {
        "en": (
            "Payment for invoice {{invoice_number}} failed",
            "{{company_name}} Billing",
            _body(
                "Hi {{customer_name}},",
                "We were unable to process payment of {{amount_due}} for invoice {{invoice_number}}.",
                'Please update your payment method: <a href="{{update_payment_link}}">update payment method</a>',
                "Thanks,<br>The {{company_name}} Team",
            ),
        ),
        "de": (
            "Zahlung für Rechnung {{invoice_number}} fehlgeschlagen",
            "{{company_name}} Buchhaltung",
            _body(
                "Hallo {{customer_name}},",
                "die Zahlung über {{amount_due}} für die Rechnung {{invoice_number}} konnte nicht "
                "durchgeführt werden.",
                'Bitte aktualisieren Sie Ihre Zahlungsmethode: <a href="{{update_payment_link}}">'
                "Zahlungsmethode aktualisieren</a>",
                "Vielen Dank,<br>Ihr {{company_name}} Team",
            ),
        ),
        "fr": (
            "Échec du paiement de la facture {{invoice_number}}",
            "{{company_name}} Facturation",
            _body(
                "Bonjour {{customer_name}},",
                "Le paiement de {{amount_due}} pour la facture {{invoice_number}} n’a pas pu être effectué.",
                'Veuillez mettre à jour votre moyen de paiement : <a href="{{update_payment_link}}">'
                "mettre à jour</a>",
                "Merci,<br>L’équipe {{company_name}}",
            ),
        ),
    },
    "payment_method_expiring": {
        "en": (
            "Your payment method is about to expire",
            "{{company_name}} Billing",
            _body(
                "Hi {{customer_name}},",
                "The payment method on file with {{company_name}} expires soon. Please update it so your "
                "next payment goes through.",
                '<a href="{{update_payment_link}}">Update payment method</a>',
            ),
        ),
        "de": (
            "Ihre Zahlungsmethode läuft bald ab",
            "{{company_name}} Buchhaltung",
            _body(
                "Hallo {{customer_name}},",
                "die bei {{company_name}} hinterlegte Zahlungsmethode läuft bald ab. Bitte aktualisieren Sie "
                "sie, damit Ihre nächste Zahlung erfolgreich ist.",
                '<a href="{{update_payment_link}}">Zahlungsmethode aktualisieren</a>',
            ),
        ),
        "fr": (
            "Votre moyen de paiement va bientôt expirer",
            "{{company_name}} Facturation",
            _body(
                "Bonjour {{customer_name}},",
                "Le moyen de paiement enregistré chez {{company_name}} expire bientôt. Veuillez le mettre à "
                "jour pour que votre prochain paiement aboutisse.",
                '<a href="{{update_payment_link}}">Mettre à jour</a>',
            ),
        ),
    },
}


def _reminder(
    en: tuple[str, str], de: tuple[str, str], fr: tuple[str, str]
) -> dict[str, tuple[str, str, str]]:
    """A reminder template: (subject, sentence) per language, the same frame around it."""
    frames = {
        "en": ("{{company_name}} Billing", "Hi {{customer_name}},", '<a href="{{pay_now_url}}">Pay now</a>'),
        "de": (
            "{{company_name}} Buchhaltung",
            "Hallo {{customer_name}},",
            '<a href="{{pay_now_url}}">Jetzt bezahlen</a>',
        ),
        "fr": (
            "{{company_name}} Facturation",
            "Bonjour {{customer_name}},",
            '<a href="{{pay_now_url}}">Payer</a>',
        ),
    }
    out = {}
    for lang, (subject, sentence) in (("en", en), ("de", de), ("fr", fr)):
        sender, greeting, button = frames[lang]
        out[lang] = (subject, sender, _body(greeting, sentence, button, "{{company_name}}"))
    return out


DEFAULTS |= {
    "upcoming_due": _reminder(
        (
            "Invoice {{invoice_number}} is due on {{due_date}}",
            "Invoice {{invoice_number}} for {{amount_due}} is due on {{due_date}}.",
        ),
        (
            "Rechnung {{invoice_number}} ist am {{due_date}} fällig",
            "Die Rechnung {{invoice_number}} über {{amount_due}} ist am {{due_date}} fällig.",
        ),
        (
            "La facture {{invoice_number}} est due le {{due_date}}",
            "La facture {{invoice_number}} de {{amount_due}} est due le {{due_date}}.",
        ),
    ),
    "past_due_gentle": _reminder(
        (
            "Invoice {{invoice_number}} is past due",
            "A friendly reminder: invoice {{invoice_number}} for {{amount_due}} was due on {{due_date}}.",
        ),
        (
            "Rechnung {{invoice_number}} ist überfällig",
            "Eine freundliche Erinnerung: Die Rechnung {{invoice_number}} über {{amount_due}} war am {{due_date}} fällig.",
        ),
        (
            "La facture {{invoice_number}} est en retard",
            "Petit rappel : la facture {{invoice_number}} de {{amount_due}} était due le {{due_date}}.",
        ),
    ),
    "past_due_firm": _reminder(
        (
            "Second notice: invoice {{invoice_number}} is overdue",
            "Invoice {{invoice_number}} for {{amount_due}} is overdue since {{due_date}}. Please pay it now.",
        ),
        (
            "Zweite Mahnung: Rechnung {{invoice_number}} ist überfällig",
            "Die Rechnung {{invoice_number}} über {{amount_due}} ist seit dem {{due_date}} überfällig. Bitte begleichen Sie sie umgehend.",
        ),
        (
            "Deuxième relance : facture {{invoice_number}} impayée",
            "La facture {{invoice_number}} de {{amount_due}} est impayée depuis le {{due_date}}. Merci de la régler dès maintenant.",
        ),
    ),
    "past_due_final": _reminder(
        (
            "Final notice: invoice {{invoice_number}}",
            "This is our final notice: invoice {{invoice_number}} for {{amount_due}} was due on {{due_date}}.",
        ),
        (
            "Letzte Mahnung: Rechnung {{invoice_number}}",
            "Dies ist unsere letzte Mahnung: Die Rechnung {{invoice_number}} über {{amount_due}} war am {{due_date}} fällig.",
        ),
        (
            "Dernier avis : facture {{invoice_number}}",
            "Dernier avis : la facture {{invoice_number}} de {{amount_due}} était due le {{due_date}}.",
        ),
    ),
    "dunning_gentle": _reminder(
        (
            "Action needed: Payment for Invoice {{invoice_number}}",
            'We were unable to process payment for invoice {{invoice_number}} ({{amount_due}}, due {{due_date}}). Please update your payment method: <a href="{{update_payment_link}}">update</a>.',
        ),
        (
            "Handlungsbedarf: Zahlung für Rechnung {{invoice_number}}",
            'Die Zahlung für die Rechnung {{invoice_number}} ({{amount_due}}, fällig am {{due_date}}) ist fehlgeschlagen. Bitte aktualisieren Sie Ihre Zahlungsmethode: <a href="{{update_payment_link}}">aktualisieren</a>.',
        ),
        (
            "Action requise : paiement de la facture {{invoice_number}}",
            'Le paiement de la facture {{invoice_number}} ({{amount_due}}, due le {{due_date}}) a échoué. Veuillez mettre à jour votre moyen de paiement : <a href="{{update_payment_link}}">mettre à jour</a>.',
        ),
    ),
    "dunning_firm": _reminder(
        (
            "Payment overdue: Invoice {{invoice_number}}",
            "Invoice {{invoice_number}} for {{amount_due}} remains unpaid after several attempts. Please pay it or update your payment method.",
        ),
        (
            "Zahlung überfällig: Rechnung {{invoice_number}}",
            "Die Rechnung {{invoice_number}} über {{amount_due}} ist nach mehreren Versuchen noch offen. Bitte bezahlen Sie sie oder aktualisieren Sie Ihre Zahlungsmethode.",
        ),
        (
            "Paiement en retard : facture {{invoice_number}}",
            "La facture {{invoice_number}} de {{amount_due}} reste impayée après plusieurs tentatives. Merci de la régler ou de mettre à jour votre moyen de paiement.",
        ),
    ),
    "dunning_final": _reminder(
        (
            "Final notice before suspension: Invoice {{invoice_number}}",
            "Invoice {{invoice_number}} for {{amount_due}} is still unpaid. Without payment your service may be suspended.",
        ),
        (
            "Letzte Mahnung vor Sperrung: Rechnung {{invoice_number}}",
            "Die Rechnung {{invoice_number}} über {{amount_due}} ist weiterhin offen. Ohne Zahlung kann Ihr Dienst gesperrt werden.",
        ),
        (
            "Dernier avis avant suspension : facture {{invoice_number}}",
            "La facture {{invoice_number}} de {{amount_due}} est toujours impayée. Sans paiement, votre service pourra être suspendu.",
        ),
    ),
}


def default(name: str, language: str) -> tuple[str, str, str]:
    """(subject, fromName, body) of the default in ``language``, else English."""
    by_language = DEFAULTS[name]
    return by_language.get(language.split("-")[0], by_language["en"])
