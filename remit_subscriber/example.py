"""An example subscriber, written like the handler in Remit's product guide: a tiny
standard-library HTTP server that verifies each delivery and reacts to the invoice events.

    python -m remit_subscriber.example --port 8088 --topic-arn arn:aws:sns:...:remit-prod-EventsTopic
"""

from __future__ import annotations

import argparse
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from remit_subscriber.verify import MemoryDeduper, VerificationError, Verifier, handle

log = logging.getLogger("remit_subscriber.example")


def on_event(event: dict[str, Any]) -> None:
    data = event["data"]
    match event["type"]:
        case "invoice.issued":
            log.info("Invoice %s sent to customer", data["invoiceNumber"])
        case "invoice.viewed":
            # A good signal for follow-up timing.
            log.info("Customer viewed invoice %s", data["invoiceNumber"])
        case "invoice.paid":
            # Trigger fulfilment, update the CRM ...
            log.info(
                "Invoice %s paid: %s %s at %s",
                data["invoiceNumber"],
                data["total"],
                data["currency"],
                data["paidAt"],
            )
        case "invoice.payment_failed":
            # Alert the sales team, update the customer's status ...
            log.info("Payment failed for %s: %s", data["invoiceNumber"], data["failureReason"])
        case "invoice.past_due":
            # Escalate to collections, pause service ...
            log.info("Invoice %s is now past due", data["invoiceNumber"])


def make_handler(verifier: Verifier) -> type[BaseHTTPRequestHandler]:
    deduper = MemoryDeduper()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                handle(body, verifier, deduper, on_event)
            except VerificationError as exc:
                log.warning("refused a delivery: %s", exc)
                self.send_response(400)
            else:
                self.send_response(200)
            self.end_headers()

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--topic-arn", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Verifier(args.topic_arn)))
    server.serve_forever()


if __name__ == "__main__":
    main()
