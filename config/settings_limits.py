"""How much one buyer, client address or request may do: the holds' rules, the rates and the
sizes past which an answer is a refusal (API.md "Rules" and "Errors"). settings.py takes them
all; each names the module that enforces it."""

import environ

env = environ.Env()

SEAT_LOCK_SECONDS = env.int("SEAT_LOCK_SECONDS", default=300)
SEAT_HOLD_LIMIT = env.int("SEAT_HOLD_LIMIT", default=10)
# The most seats of one event one account may hold and own together (live holds and booked
# seats), for an event whose organiser set none (Event.purchase_limit; reservations/rules.py).
SEAT_PURCHASE_LIMIT = env.int("SEAT_PURCHASE_LIMIT", default=10)
# However often a buyer asks for more time, no hold lasts longer than this from when it began.
SEAT_HOLD_MAX_SECONDS = env.int("SEAT_HOLD_MAX_SECONDS", default=600)
# A buyer's holds of an event are one run with one SEAT_HOLD_MAX_SECONDS while any is running
# or ended less than this ago: letting go and taking again, this seat or others, is no way past
# the cap (API.md "Rules", reservations/rules.py). Others may take the seats at once.
SEAT_HOLD_COOLDOWN_SECONDS = env.int("SEAT_HOLD_COOLDOWN_SECONDS", default=300)
# Seats of an event held at once from one client network (an IPv4 address, an IPv6 /64),
# whichever of its accounts holds them (409 address_hold_limit; rules.py "Holds per address"):
# four buyers' worth of SEAT_HOLD_LIMIT, a household or a group on one Wi-Fi, not a script's
# hundred accounts; 0 turns both rules of holds per address off. LIMITS_EXEMPT_NETWORKS are not
# counted.
SEAT_ADDRESS_HOLD_LIMIT = env.int("SEAT_ADDRESS_HOLD_LIMIT", default=40)

# Open sockets per client address and server process (4429 past it; 0 = no cap): room for a
# venue's Wi-Fi behind one NAT, not for one script opening thousands. Load-test hosts go in
# LIMITS_EXEMPT_NETWORKS. The address is NUM_PROXIES's (reservations/client_address.py).
WS_MAX_SOCKETS_PER_ADDRESS = env.int("WS_MAX_SOCKETS_PER_ADDRESS", default=256)

# API.md: a request body over 64 KiB is 413 too_large (Django's own cap is the same one).
API_MAX_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
# The admin's layout upload has its own (reservations/api/request_bodies.py; the proxy's
# `location` for it in config/nginx/seatmap.conf says 4m: change both together).
LAYOUT_UPLOAD_MAX_BYTES = env.int("LAYOUT_UPLOAD_MAX_BYTES", default=4 * 1024 * 1024)
# A request body must have arrived whole within this many seconds (else 408 request_timeout):
# bodies are read on the event loop, so a slow client holds no request thread meanwhile.
REQUEST_BODY_SECONDS = env.float("REQUEST_BODY_SECONDS", default=10.0)

# Every per-address limit counts an IPv6 client by its network of this many bits (a subscriber
# gets a whole /64 and may use a new address for each request); IPv4 by its address
# (reservations/client_address.py `address_key`).
IPV6_PREFIX_LENGTH = 64

# DRF's throttles: AUTH_THROTTLE_RATE and AUTH_USERNAME_THROTTLE_RATE below (login_limits.py),
# and anonymous reads per address (reservations/api/throttles.py).
THROTTLE_RATES = {
    "auth": env("AUTH_THROTTLE_RATE", default="30/min"),
    "auth_username": env("AUTH_USERNAME_THROTTLE_RATE", default="10/min"),
    "anon_read": env("ANON_READ_THROTTLE_RATE", default="1200/min"),
}
# The login doors (reservations/api/login_limits.py): AUTH_THROTTLE_RATE counts failed logins
# per address (and every registration); AUTH_USERNAME_THROTTLE_RATE counts failed logins per
# (username, address), and from the LOGIN_SLOWDOWN_AFTER-th failure on the next attempt waits
# 1, 2, 4 ... seconds (at most LOGIN_SLOWDOWN_MAX_SECONDS). Password hashing (~0.5 s of CPU
# each) runs on at most PASSWORD_HASH_CONCURRENCY request threads per process at once, one
# address at most half; a login waits at most 2 s for one, then 503.
LOGIN_SLOWDOWN_AFTER = env.int("LOGIN_SLOWDOWN_AFTER", default=3)
LOGIN_SLOWDOWN_MAX_SECONDS = 30
# From this many failed logins from an address in AUTH_THROTTLE_RATE's window, its logins by
# accounts new there ask for proof of work (reservations/challenges.py) of about CHALLENGE_WORK
# hashes (half of it on average: ~0.5 s in a browser, reservations/challenges.py).
LOGIN_CHALLENGE_AFTER = env.int("LOGIN_CHALLENGE_AFTER", default=5)
CHALLENGE_WORK = env.int("CHALLENGE_WORK", default=100_000)
PASSWORD_HASH_CONCURRENCY = env.int("PASSWORD_HASH_CONCURRENCY", default=2)

# Booking calls (lock, unlock, lock several, reserve, cancel) per user and per client address,
# on both paths (reservations/api/booking_limits.py); empty turns one off. Load-test hosts go in
# LIMITS_EXEMPT_NETWORKS (CIDR list), which exempts them from the anonymous read limit too.
BOOKING_USER_RATE = env("BOOKING_USER_RATE", default="120/min")
BOOKING_ADDRESS_RATE = env("BOOKING_ADDRESS_RATE", default="1200/min")
LIMITS_EXEMPT_NETWORKS = env.list("LIMITS_EXEMPT_NETWORKS", default=[])
# A logged-in caller's seat-list reads (reservations/api/throttles.py): a polling client reads it
# every few seconds; the shipped client reads `state/` and `holds/` instead.
SEAT_LIST_USER_RATE = env("SEAT_LIST_USER_RATE", default="60/min")
# A logged-in caller's other reads (events, the draw's proof...), per account
# (reservations/api/throttles.py): a person's pages read a few a second at most.
USER_READ_THROTTLE_RATE = env("USER_READ_THROTTLE_RATE", default="600/min")
# Verification links an account may have sent (an address added or changed, a link sent again),
# per account (reservations/api/account_views.py): each is an e-mail to someone's inbox.
EMAIL_VERIFICATION_RATE = "5/hour"
# Refreshes per user, both refresh routes together (reservations/api/refresh_limits.py).
REFRESH_USER_RATE = env("REFRESH_USER_RATE", default="30/min")

# Paying online (reservations/payments/): how long a buyer of an event that takes payment has to
# pay, counted from their hold's end (an event may set its own); then the order's seats go back
# on sale.
PAY_WINDOW_SECONDS = env.int("PAY_WINDOW_SECONDS", default=1800)
# Stripe Checkout (docs/API.md "Paying"): the secret key, and the webhook endpoint's signing
# secret. STRIPE_API_BASE points the library elsewhere (the tests' stand-in of Stripe's API).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
