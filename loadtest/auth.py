"""How a clicker authenticates (`--auth`), each way as its client does it (docs/API.md).

- client (the default): the shipped React client (frontend/src/lib/api-client.ts). Logs in with
  `POST /api/token/cookie/`, keeps the access token in memory and the `seatmap_refresh` cookie
  in its own cookie jar, sends `Authorization: Bearer` on every call (the server's fast path
  answers the one-seat clicks) and cookies only on the cookie endpoints; after a 401
  `not_authenticated` it asks `POST /api/token/cookie/refresh/` for a new access token and sends
  the call again.
- bearer: a script. The access and refresh pair of the users file (`manage.py
  create_load_users` writes what `POST /api/token/` answers), or `POST /api/token/` with the
  password when the file has none; after a 401, `POST /api/token/refresh/` (the pair rotates).
- session: any other browser client. `GET /api/csrf/`, `POST /api/login/`, then the `sessionid`
  and `csrftoken` cookies on every call and `X-CSRFToken` on unsafe ones: Django answers every
  call (the fast path takes bearer tokens only); after a 401 or 403 it logs in again.

Each clicker keeps its own cookie jar: the HTTP session the clickers share keeps none.
"""

import asyncio
from collections import Counter

import aiohttp
import orjson
from yarl import URL

REFRESH_COOKIE = "seatmap_refresh"
# A login answered 503 `login_busy` or 429 is tried again after its Retry-After, this often.
LOGIN_ATTEMPTS = 30


class AuthFailed(Exception):
    """A login or a refresh did not give the clicker a way in."""


class Auth:
    """One user's credentials as one kind of client keeps them; `counts` is the run's."""

    mode = ""
    login_path = ""  # where it logs in

    def __init__(self, base: str, user: dict, counts: Counter):
        self.base, self.user, self.counts = base, user, counts
        self.jar = aiohttp.CookieJar(unsafe=True)  # unsafe: keeps cookies of 127.0.0.1
        self.cookie_header = ""  # the cookies every API call sends (a session's)
        self.headers: dict[str, str] = {}  # what every call sends
        self.unsafe_headers: dict[str, str] = {}  # what a POST sends besides

    async def login(self, client: aiohttp.ClientSession) -> None:
        raise NotImplementedError

    async def renew(self, client: aiohttp.ClientSession) -> bool:
        """After a 401 (or, with a session, a 403): new credentials, or False."""
        raise NotImplementedError

    def refused(self, status: int, code: str) -> bool:
        """Whether this answer means the credentials are no good any more."""
        return status == 401 and code == "not_authenticated"

    def answered(self, response: aiohttp.ClientResponse) -> None:
        """Sees every answer to a call (the bearer modes send no cookies with them)."""

    def keep_cookies(self, response: aiohttp.ClientResponse) -> None:
        if response.cookies:
            self.jar.update_cookies(response.cookies, response.url)
            self.cookie_header = self._cookies_for("/api/")

    def _cookies_for(self, path: str) -> str:
        """The Cookie header a browser sends to `path` (the refresh cookie's path is its
        route alone)."""
        morsels = self.jar.filter_cookies(URL(f"{self.base}{path}"))
        return "; ".join(f"{k}={m.value}" for k, m in morsels.items())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.key == name), None)

    async def _post(
        self, client: aiohttp.ClientSession, path: str, body: dict, *, cookies: bool, **headers
    ) -> tuple[int, dict]:
        for attempt in range(LOGIN_ATTEMPTS):
            if cookies and (sent := self._cookies_for(path)):
                headers["Cookie"] = sent
            async with client.post(
                f"{self.base}{path}",
                data=orjson.dumps(body),
                headers={"Content-Type": "application/json", **headers},
            ) as response:
                answer = await response.read()
                if cookies:
                    self.keep_cookies(response)
                self.counts[f"{path} {response.status}"] += 1
                wait = response.headers.get("Retry-After", "1")
            # A login the server has no hashing slot for, or asks to slow down, is asked
            # again when it says (API.md, "Limits on the login doors").
            if (
                response.status in (429, 503)
                and path == self.login_path
                and attempt < LOGIN_ATTEMPTS - 1
            ):
                await asyncio.sleep(float(wait) if wait.isdigit() else 1.0)
                continue
            try:
                return response.status, orjson.loads(answer) if answer else {}
            except orjson.JSONDecodeError:
                return response.status, {}
        raise AssertionError("unreachable")

    def _password(self) -> dict:
        if not self.user.get("password"):
            raise AuthFailed(
                f"--auth {self.mode} logs in with a password and the users file has none for "
                f"{self.user.get('username')!r}: set them with `python -m loadtest passwords "
                "--users FILE`, or use --auth bearer"
            )
        return {"username": self.user["username"], "password": self.user["password"]}

    def _bearer(self, access: str) -> None:
        self.headers = {"Authorization": f"Bearer {access}"}


class ClientAuth(Auth):
    """The shipped React client: bearer calls, the refresh token in an HttpOnly cookie."""

    mode, login_path = "client", "/api/token/cookie/"

    async def login(self, client):
        credentials = self._password()
        status, body = await self._post(client, self.login_path, credentials, cookies=True)
        if status != 200 or "access" not in body:
            raise AuthFailed(f"POST /api/token/cookie/ answered {status} {body}")
        if "refresh" in body or self.cookie(REFRESH_COOKIE) is None:
            raise AuthFailed("POST /api/token/cookie/ did not put the refresh token in its cookie")
        self._bearer(body["access"])

    async def renew(self, client):
        status, body = await self._post(client, "/api/token/cookie/refresh/", {}, cookies=True)
        if status != 200 or "access" not in body:
            return False
        self._bearer(body["access"])
        return True


class BearerAuth(Auth):
    """A script: the access and refresh pair of `POST /api/token/`, refreshed in the body."""

    mode, login_path = "bearer", "/api/token/"

    async def login(self, client):
        if self.user.get("access") and self.user.get("refresh"):
            self.refresh = self.user["refresh"]
            self._bearer(self.user["access"])
            return
        credentials = self._password()
        status, body = await self._post(client, self.login_path, credentials, cookies=False)
        if status != 200 or "access" not in body:
            raise AuthFailed(f"POST /api/token/ answered {status} {body}")
        self.refresh = body["refresh"]
        self._bearer(body["access"])

    async def renew(self, client):
        status, body = await self._post(
            client, "/api/token/refresh/", {"refresh": self.refresh}, cookies=False
        )
        if status != 200 or "access" not in body:
            return False
        self.refresh = body["refresh"]
        self._bearer(body["access"])
        return True


class SessionAuth(Auth):
    """Django's session and CSRF cookies: every call goes through Django."""

    mode, login_path = "session", "/api/login/"

    async def login(self, client):
        async with client.get(f"{self.base}/api/csrf/") as response:
            await response.read()
            self.keep_cookies(response)
        status, body = await self._post(
            client,
            self.login_path,
            self._password(),
            cookies=True,
            **{"X-CSRFToken": self.cookie("csrftoken") or ""},
        )
        if status != 200 or not body.get("success") or self.cookie("sessionid") is None:
            raise AuthFailed(f"POST /api/login/ answered {status} {body}")
        self._session_headers()

    def _session_headers(self) -> None:
        # Django rotates the CSRF token at login: the cookie now holds the one to send.
        self.headers = {"Cookie": self.cookie_header}
        self.unsafe_headers = {"X-CSRFToken": self.cookie("csrftoken") or ""}

    def answered(self, response):
        if response.cookies:
            self.keep_cookies(response)
            self._session_headers()

    def refused(self, status, code):
        return (status == 401 and code == "not_authenticated") or code == "csrf_failed"

    async def renew(self, client):
        try:
            await self.login(client)
        except AuthFailed:
            return False
        return True


KINDS = {kind.mode: kind for kind in (ClientAuth, BearerAuth, SessionAuth)}
AUTH_MODES = tuple(KINDS)


def auth_for(mode: str, base: str, user: dict, counts: Counter) -> Auth:
    return KINDS[mode](base, user, counts)
