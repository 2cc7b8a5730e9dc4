"""An arrival's browser (browser.py) against a server that writes answers byte for byte: it
keeps a connection alive for the page's next read, reads every way HTTP/1.1 sends a body, counts
every byte its sockets delivered, and says so when a connection dies mid-answer. And RFC 6455's
frames as the bare sockets read and write them (ws_frames.py)."""

import asyncio

import pytest

from loadtest import browser as browser_module
from loadtest.browser import Browser
from loadtest.ws_frames import CLOSE, PONG, TEXT, client_frame, frame_at

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


ACCEPT = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
SNAPSHOT = b"\x81\x13" + b'{"type":"snapshot"}'
PING = b"\x89\x02hi"
GOING_AWAY = b"\x88\x02\x0f\xa0"  # 4000


async def test_the_pages_socket_holds_its_frames_until_listened_to_then_counts_and_closes():
    """Accepted with a frame in the same packet, a ping and a close: nothing is lost before the
    page listens, the ping is answered, every byte is counted and the close code reported."""
    pong = asyncio.get_running_loop().create_future()

    async def answer(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ACCEPT + SNAPSHOT + PING)
        pong.set_result(await reader.readexactly(len(client_frame(PONG, b"hi"))))
        writer.write(GOING_AWAY)
        await reader.read()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    browser = Browser(base)
    socket = await browser.websocket(f"{base.replace('http', 'ws')}/ws/events/1/", base)
    texts = []
    socket.listen(texts.append)
    assert await asyncio.wait_for(pong, 5) == client_frame(PONG, b"hi")
    assert await asyncio.wait_for(socket.close_code, 5) == 4000
    assert texts == ['{"type":"snapshot"}']
    assert browser.bytes == len(ACCEPT + SNAPSHOT + PING + GOING_AWAY)
    browser.close()
    server.close()


def test_a_frame_is_whole_only_once_every_byte_of_it_is_in():
    short = bytearray(b"\x81\x05hello")
    assert frame_at(short) == (TEXT, 2, 5)
    assert frame_at(short[:6]) is None and frame_at(short[:1]) is None
    medium = bytearray(b"\x81\x7e\x01\x00" + b"x" * 256)  # 126: a 16-bit size follows
    assert frame_at(medium) == (TEXT, 4, 256)
    assert frame_at(medium[:3]) is None
    large = bytearray(b"\x81\x7f" + (70_000).to_bytes(8, "big") + b"x" * 70_000)
    assert frame_at(large) == (TEXT, 10, 70_000)
    assert frame_at(large[:-1]) is None
    assert frame_at(bytearray(b"\x88\x02\x0f\xa0")) == (CLOSE, 2, 2)


def test_a_clients_frame_is_final_masked_and_sized_as_rfc_6455_says():
    assert client_frame(PONG, b"hi") == b"\x8a\x82\x00\x00\x00\x00hi"
    assert client_frame(TEXT, b"x" * 126)[:4] == b"\x81\xfe\x00\x7e"
    assert client_frame(TEXT, b"x" * 70_000)[:10] == b"\x81\xff" + (70_000).to_bytes(8, "big")
    assert len(client_frame(TEXT, b"x" * 70_000)) == 10 + 4 + 70_000
