"""An arrival's browser (browser.py) against a server that writes answers byte for byte: it
keeps a connection alive for the page's next read, reads every way HTTP/1.1 sends a body, counts
every byte its sockets delivered, and says so when a connection dies mid-answer. And its socket
against a server that writes RFC 6455 byte for byte: frames held until the page listens, pings
answered with masked frames, fragmented messages read whole, a wrong Sec-WebSocket-Accept
refused."""

import asyncio

import pytest
from websockets.utils import accept_key

from loadtest import browser as browser_module
from loadtest.browser import Browser

JSON = b'{"seats":[1,2,3]}'
SIZED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: br\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(JSON), JSON)
)
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"7\r\n" + JSON[:7] + b"\r\n" + b"%x\r\n" % (len(JSON) - 7) + JSON[7:] + b"\r\n0\r\n\r\n"
)
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n'
CUT_SHORT = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + JSON


@pytest.fixture
async def serve():
    """A server that answers each request on a connection with the next of `answers` (then
    closes it if `close`), and counts the connections it got and the requests' heads."""
    servers = []

    async def start(*answers: bytes, close: bool = False):
        seen = {"connections": 0, "heads": []}

        async def answer(reader, writer):
            seen["connections"] += 1
            for reply in answers:
                head = await reader.readuntil(b"\r\n\r\n")
                seen["heads"].append(head.decode())
                writer.write(reply)
                await writer.drain()
            if close:
                writer.close()
            else:
                await reader.read()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return Browser(f"http://127.0.0.1:{port}"), seen

    yield start
    for server in servers:
        server.close()


async def test_the_pages_next_read_goes_on_the_connection_kept_alive(serve):
    browser, seen = await serve(SIZED, NOT_MODIFIED, SIZED)
    first = await browser.get("/api/events/1/state/", {"Accept": "application/json"})
    again = await browser.get("/api/events/1/map/", {"If-None-Match": '"x"'})
    third = await browser.get("/api/events/1/", {})
    assert seen["connections"] == 1
    assert first == (200, JSON, "br") and third == (200, JSON, "br")
    assert again == (304, b"", None)
    # Every byte the socket delivered, headers included, as it came.
    assert browser.bytes == 2 * len(SIZED) + len(NOT_MODIFIED)
    head = seen["heads"][1]
    assert head.startswith("GET /api/events/1/map/ HTTP/1.1\r\n")
    assert "Accept-Encoding: gzip, br\r\n" in head and 'If-None-Match: "x"\r\n' in head
    browser.close()


async def test_a_connection_idle_past_the_keep_alive_is_not_used_again(serve, monkeypatch):
    monkeypatch.setattr(browser_module, "KEEP_ALIVE", 0.05)
    browser, seen = await serve(SIZED, SIZED)
    await browser.get("/", {})
    await asyncio.sleep(0.1)  # uvicorn may be closing it by now: a request on it could be lost
    await browser.get("/", {})
    assert seen["connections"] == 2
    browser.close()


async def test_reads_at_once_each_take_a_connection_of_their_own(serve):
    browser, seen = await serve(SIZED)
    answers = await asyncio.gather(*(browser.get("/", {}) for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    assert seen["connections"] == 3
    browser.close()


async def test_a_chunked_body_is_read_whole(serve):
    browser, _ = await serve(CHUNKED)
    assert await browser.get("/", {}) == (200, JSON, None)
    assert browser.bytes == len(CHUNKED)
    browser.close()


async def test_a_connection_that_dies_mid_answer_raises_and_is_not_kept(serve):
    browser, _ = await serve(CUT_SHORT, close=True)
    with pytest.raises(ConnectionResetError):
        await browser.get("/", {})
    assert browser.idle == [] and browser.connections == set()


SNAPSHOT = b"\x81\x13" + b'{"type":"snapshot"}'
# The same message in three frames: a text frame without FIN, a continuation, the last one.
FRAGMENTED = b'\x01\x08{"type":' + b'\x00\x06"seats' + b'\x80\x02"}'
PING = b"\x89\x02hi"
GOING_AWAY = b"\x88\x02\x0f\xa0"  # 4000


def accept(request: bytes, key: str | None = None) -> bytes:
    """The server's 101 to `request`, with the accept key of its Sec-WebSocket-Key (or `key`'s)."""
    if key is None:
        key = next(
            line.split(b":", 1)[1].strip().decode()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept_key(key).encode() + b"\r\n\r\n"
    )


def unmasked(frame: bytes) -> tuple[bytes, bytes, bytes]:
    """A client's small frame (RFC 6455 5.2, 5.3): its first two bytes, its mask, its payload."""
    head, mask, payload = frame[:2], frame[2:6], frame[6:]
    return head, mask, bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


@pytest.fixture
async def socket_server():
    """A WebSocket server that writes what a test gives it: `answer(request)` after the
    handshake's request, then runs `then(reader, writer)`."""
    servers = []

    async def start(answer, then):
        async def serve(reader, writer):
            writer.write(answer(await reader.readuntil(b"\r\n\r\n")))
            await then(reader, writer)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        servers.append(server)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        browser = Browser(base)
        return browser, browser.websocket(f"{base.replace('http', 'ws')}/ws/events/1/", base)

    yield start
    for server in servers:
        server.close()


async def test_the_pages_socket_holds_its_frames_until_listened_to_then_counts_and_closes(
    socket_server,
):
    """Accepted with a frame in the same packet, a ping and a close: nothing is lost before the
    page listens, the ping is answered with a masked pong, every byte is counted and the close
    code reported."""
    pong = asyncio.get_running_loop().create_future()
    sent = []

    def answer(request: bytes) -> bytes:
        sent.append(accept(request) + SNAPSHOT + PING)
        return sent[-1]

    async def then(reader, writer):
        pong.set_result(await reader.readexactly(2 + 4 + 2))
        writer.write(GOING_AWAY)
        await reader.read()

    browser, opening = await socket_server(answer, then)
    socket = await opening
    texts = []
    socket.listen(texts.append)
    head, mask, payload = unmasked(await asyncio.wait_for(pong, 5))
    assert (head, payload) == (b"\x8a\x82", b"hi")  # a final pong, masked, of the ping's data
    assert mask != b"\0\0\0\0"  # a key of the client's own (one in 2**32 is zero)
    assert await asyncio.wait_for(socket.close_code, 5) == 4000
    assert texts == ['{"type":"snapshot"}']
    assert browser.bytes == len(sent[0] + GOING_AWAY)
    browser.close()


async def test_a_fragmented_message_is_read_whole(socket_server):
    async def then(reader, writer):
        writer.write(FRAGMENTED + SNAPSHOT)
        await reader.read()

    browser, opening = await socket_server(accept, then)
    socket = await opening
    texts = []
    socket.listen(texts.append)
    for _ in range(250):
        if len(texts) == 2:
            break
        await asyncio.sleep(0.02)
    assert texts == ['{"type":"seats"}', '{"type":"snapshot"}']
    browser.close()


async def test_a_wrong_sec_websocket_accept_is_refused(socket_server):
    async def then(reader, writer):
        writer.write(SNAPSHOT)
        await reader.read()

    browser, opening = await socket_server(lambda request: accept(request, "not the key"), then)
    with pytest.raises(ConnectionRefusedError, match="Sec-WebSocket-Accept"):
        await opening
    browser.close()
