"""The model server's client keeps its connections alive: the API makes a ModelServerBackend per
request, and every completion opening a new connection cost a handshake and a server thread."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from evaluation.core.backends import BackendError, Decoding, ModelServerBackend, Request


class CountingServer:
    """TGI's native route over HTTP/1.1 (kept alive), counting the connections it accepted;
    `close_after` answers that many requests on a connection and then closes it, as a server
    dropping an idle connection does."""

    def __init__(self, close_after=None, status=200):
        self.connections = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                outer.connections += 1
                self.answered = 0

            def log_message(self, *args):
                pass

            def do_POST(self):
                asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                body = json.dumps(
                    {
                        "generated_text": f"echo {asked['inputs']}",
                        "details": {"finish_reason": "eos_token", "generated_tokens": 2, "prefill": [{}] * 3},
                    }
                    if status == 200
                    else {"error": "the adapter folder is not below a root"}
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.answered += 1
                if close_after and self.answered >= close_after:
                    self.close_connection = True  # closed without saying so in a header

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting():
    servers = []

    def make(**kwargs):
        servers.append(CountingServer(**kwargs))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def ask(url, text):
    """One request through a new client, as the API sends it; no retries, so a dropped kept
    connection must be replaced by the connection pool itself."""
    (g,) = ModelServerBackend(url, "/models/tiny", retries=0).generate([Request(text)], Decoding(max_new_tokens=2))
    return g


def test_backends_made_one_after_another_share_one_kept_connection(counting):
    server = counting()
    answers = [ask(server.url, f"ticket {i}").text for i in range(5)]  # a new backend each time, as the API does
    assert answers == [f"echo ticket {i}" for i in range(5)]
    assert server.connections == 1


def test_concurrent_requests_each_get_a_connection_then_reuse_them(counting):
    server = counting()
    backend = ModelServerBackend(server.url, "/models/tiny")
    requests = [Request(f"ticket {i}") for i in range(4)]
    first = backend.generate(requests, Decoding(max_new_tokens=2))
    opened = server.connections
    assert 1 <= opened <= 4 and [g.text for g in first] == [f"echo ticket {i}" for i in range(4)]
    backend.generate(requests, Decoding(max_new_tokens=2))
    assert server.connections <= 4  # the second round found the first round's connections idle


def test_a_connection_the_server_dropped_is_replaced_without_an_error(counting):
    server = counting(close_after=1)  # every connection is closed after one answer
    assert [ask(server.url, f"t{i}").text for i in range(3)] == ["echo t0", "echo t1", "echo t2"]
    assert server.connections == 3


def test_a_refusal_is_a_backend_error_naming_the_reason(counting):
    server = counting(status=422)
    with pytest.raises(BackendError, match="refused: the adapter folder is not below a root"):
        ask(server.url, "hi")
    with pytest.raises(BackendError, match="refused"):
        ask(server.url, "again")  # on the same kept connection: a refusal leaves it usable
    assert server.connections == 1
