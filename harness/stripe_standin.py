"""A local stand-in of the few Stripe API endpoints the Stripe provider calls
(reservations/payments/providers.py), answering in the shapes of Stripe's API reference, and
Stripe's webhook signature scheme, so the tests run the official library end to end with no
network. Not a mock of the library: it is the other end of its HTTP."""

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

WEBHOOK_SECRET = "whsec_standin"
# Stripe refuses a Checkout Session that expires more than 24 hours after its creation.
SESSION_LONGEST = 24 * 3600
# Stripe's least charge, in a currency's smallest unit (docs.stripe.com/currencies): a few.
LEAST_CHARGE = {"gbp": 30, "jpy": 50}


class StripeStandIn:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.calls: list[tuple[str, str, dict]] = []  # (method, path, form, idempotency key)
        self._ids = itertools.count(1)
        self._by_key: dict[str, tuple[str, dict, dict]] = {}  # key: its path, form, answer
        self.unanswered = 0  # the next requests done, but their answers lost on the way
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                key = self.headers.get("Idempotency-Key", "")
                standin.calls.append(("POST", self.path, form, key))
                status, answer = standin.answer(self.path, form, key)
                if standin.unanswered:
                    standin.unanswered -= 1
                    self.close_connection = True
                    return
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # serve_forever looks for shutdown() between polls: at its default (0.5 s) each close
        # waited up to that long.
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, form: dict, key: str) -> tuple[int, dict]:
        if key and key in self._by_key:  # Stripe answers a repeated key with the first answer
            first_path, first_form, answer = self._by_key[key]
            if (first_path, first_form) != (path, form):
                message = "Keys for idempotent requests can only be used with the same parameters"
                return 400, {"error": {"type": "idempotency_error", "message": message}}
            return 200, answer
        if path == "/v1/checkout/sessions":
            if int(form["expires_at"]) > time.time() + SESSION_LONGEST:
                message = "expires_at must be less than 24 hours from Checkout Session creation"
                return 400, {"error": {"type": "invalid_request_error", "message": message}}
            currency = form["line_items[0][price_data][currency]"]
            least = LEAST_CHARGE.get(currency, 50)
            if _total(form) < least:
                message = (
                    "The Checkout Session's total amount due must add up to at least "
                    f"{least} {currency} in its smallest unit"
                )
                return 400, {"error": {"type": "invalid_request_error", "message": message}}
            answer = self._session(form)
        elif path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            session = self.sessions[path.split("/")[4]]
            if session["status"] != "open":
                return 400, {"error": {"type": "invalid_request_error", "message": "not open"}}
            session["status"] = "expired"
            answer = session
        elif path == "/v1/refunds":
            answer = {
                "id": f"re_{next(self._ids)}",
                "object": "refund",
                "amount": int(form["amount"]),
                "payment_intent": form["payment_intent"],
                "status": "succeeded",
            }
            self.refunds.append(answer)
        else:
            return 404, {"error": {"type": "invalid_request_error", "message": path}}
        if key:
            self._by_key[key] = (path, form, answer)
        return 200, answer

    def _session(self, form: dict) -> dict:
        number = next(self._ids)
        session = {
            "id": f"cs_test_{number}",
            "object": "checkout.session",
            "mode": form["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": _total(form),
            "currency": form["line_items[0][price_data][currency]"],
            "client_reference_id": form.get("client_reference_id"),
            "metadata": {"reservation": form["metadata[reservation]"]},
            "expires_at": int(form["expires_at"]),
            "payment_intent": None,
            "url": f"https://checkout.stripe.test/c/pay/cs_test_{number}",
        }
        self.sessions[session["id"]] = session
        return session

    def completed(self, session_id: str) -> dict:
        """The session paid, as `checkout.session.completed` carries it."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_{session_id}")
        return self.event("checkout.session.completed", session)

    def expired(self, session_id: str) -> dict:
        """The session ended unpaid, as `checkout.session.expired` carries it."""
        session = self.sessions[session_id]
        session.update(status="expired")
        return self.event("checkout.session.expired", session)

    def event(self, kind: str, session: dict) -> dict:
        return {
            "id": f"evt_{next(self._ids)}",
            "object": "event",
            "type": kind,
            "data": {"object": dict(session)},
        }


def signed(event: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """The body and `Stripe-Signature` header Stripe sends an event with."""
    body = json.dumps(event).encode()
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"


def _total(form: dict) -> int:
    """A session's line items summed, in the currency's smallest unit."""
    total = 0
    for i in itertools.count():
        if f"line_items[{i}][quantity]" not in form:
            return total
        total += int(form[f"line_items[{i}][price_data][unit_amount]"]) * int(
            form[f"line_items[{i}][quantity]"]
        )
