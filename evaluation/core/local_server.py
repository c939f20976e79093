"""The local model server: generation outside the web process. It speaks TGI's native route and
the OpenAI chat-completions route, so the studio's clients (and a laptop trying them) need no GPU
server, and `make run` starts it next to the web server:

    python -m evaluation.core.local_server --root MODELS_DIR --root RUNS_DIR [--port 8081]
    python -m evaluation.core.local_server MODEL_DIR [--adapter NAME=DIR ...] [--port 8081]

Which model answers: TGI's route takes, in `parameters`, `base_model` (a model folder) and
`adapter_id` (an adapter folder, or the name of an adapter given with --adapter); both folders must
lie below a --root (the studio passes STUDIO_MODEL_ROOTS and its runs folder), so a request cannot
make it read anything else. Without `base_model` the model given on the command line answers.

Concurrent requests are batched (dynamic batching): after the first request the batch takes each
next one that comes within --window-ms (5 ms) of the last, for at most 6 windows and up to
--batch-size (16), so a burst of clients is served as one batch; each group of one base model and
one decoding is one generate per adapter. torch's threads are the cores this process may use, but
one for a model under 5M parameters: its matrices are too small for OpenMP to pay (the demo's tiny
model: 27 ms one thread vs 30 ms two for one request, 41 vs 50 ms for ten). The adapters of a base model stay loaded side by side (one PeftModel with named
adapters), so alternating requests for run-1 and run-2 reload nothing. The server has no database.
"""

import argparse
import hashlib
import json
import os
import queue
import sys
import threading
import time
import uuid
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from evaluation.core.backends import BackendError, Decoding, LocalBackend, Request
from studio.core.prompts import RenderError, load_tokenizer, prompt_for
from studio.core.records import Record

SMALL_MODEL = 5_000_000  # parameters: below it one torch thread generates faster than several


class ModelPool:
    """The loaded models: one LocalBackend per base model folder (the `keep` most recently used),
    each with every adapter asked for so far. Only the batcher's thread touches the models."""

    def __init__(self, roots=(), model=None, adapters=None, keep=2, batch_size=16):
        self.roots = [Path(r).resolve() for given in roots for r in str(given).split(",") if r.strip()]
        self.default = str(model) if model else None
        self.keep, self.batch_size = keep, batch_size
        self.backends = {}  # base folder -> LocalBackend, least recently used first
        if self.default:
            self.backends[self.default] = LocalBackend(self.default, adapters, batch_size=batch_size)
        self.lock = threading.Lock()

    def allowed(self, folder, what):
        path = Path(folder).resolve()
        if not any(path == root or path.is_relative_to(root) for root in self.roots):
            raise BackendError(f"the {what} {folder} is not below a folder this server serves from")
        if not path.is_dir():
            raise BackendError(f"the {what} {folder} is not a folder")
        return str(path)

    def resolve(self, base_model, adapter):
        """(backend, adapter name) for a request's base model folder and adapter (folder or name)."""
        with self.lock:
            if base_model and base_model != self.default:
                base = self.allowed(base_model, "model")
            elif self.default:
                base = self.default
            else:
                raise BackendError("name the model folder in parameters.base_model")
            backend = self.backends.pop(base, None) or LocalBackend(base, batch_size=self.batch_size)
            self.backends[base] = backend
            while len(self.backends) > self.keep:
                self.backends.pop(next(iter(self.backends)))
            if not adapter or adapter in backend.adapters:
                return backend, adapter or ""
            folder = self.allowed(adapter, "adapter")
            if not (Path(folder) / "adapter_config.json").is_file():
                raise BackendError(f"the adapter {adapter} has no adapter_config.json")
            name = "a" + hashlib.sha1(folder.encode()).hexdigest()[:12]  # adapter names cannot hold dots
            return backend, name if name in backend.adapters else (name, folder)


class Batcher:
    """Collects requests while each comes within `window` seconds of the one before (for at most
    6 windows) or up to `size` requests, then generates them together: one generate per base model,
    decoding and adapter."""

    def __init__(self, pool, window=0.01, size=16, cores=None):
        self.pool, self.window, self.size, self.cores = pool, window, size, cores
        self.queue = queue.Queue()
        self.batches = []  # sizes of the batches run, for the tests and the benchmark
        threading.Thread(target=self._loop, daemon=True).start()

    def submit(self, base_model, adapter, prompt, decoding, timeout=600):
        backend, name = self.pool.resolve(base_model, adapter)
        future = Future()
        self.queue.put((backend, name, prompt, decoding, future))
        return future.result(timeout=timeout)

    def _loop(self):
        while True:
            batch = [self.queue.get()]
            deadline = time.monotonic() + 6 * self.window
            while len(batch) < self.size:
                try:
                    wait = min(self.window, deadline - time.monotonic())
                    batch.append(self.queue.get(timeout=max(0.0, wait)))
                except queue.Empty:
                    break
            self.batches.append(len(batch))
            groups = {}
            for item in batch:
                groups.setdefault((id(item[0]), item[3]), []).append(item)
            for items in groups.values():
                self._run(items)

    def _run(self, items):
        backend, decoding = items[0][0], items[0][3]
        if self.cores:
            import torch

            small = 0 < backend.parameters < SMALL_MODEL
            torch.set_num_threads(1 if small else self.cores)
        try:
            for _, name, _, _, _ in items:
                if isinstance(name, tuple):  # an adapter asked for the first time: loaded once, kept
                    backend.add_adapter(*name)
            outputs = backend.generate(
                [Request(prompt=p, adapter=n[0] if isinstance(n, tuple) else n) for _, n, p, _, _ in items], decoding
            )
        except Exception as e:  # noqa: BLE001 - every waiting request gets the failure
            for *_, future in items:
                future.set_exception(e)
            return
        for (*_, future), g in zip(items, outputs):
            future.set_result(g)


def make_handler(batcher, model_name, delay=0.0):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: a client's next request reuses the connection
        # the headers and the body are two writes: with Nagle's algorithm the body waited for the
        # client's delayed ACK of the headers (up to 40 ms on Linux) on a kept-alive connection
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def _json(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _adapters(self):
            default = batcher.pool.backends.get(batcher.pool.default)
            return sorted(default.adapters) if default else []

        def do_GET(self):
            if self.path in ("/info", "/health"):
                torch = sys.modules.get("torch")  # loaded with the first model
                threads = torch.get_num_threads() if torch else None
                return self._json(200, {"model_id": model_name, "adapters": self._adapters(), "threads": threads})
            if self.path == "/v1/models":
                names = [model_name, *self._adapters()]
                return self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in names]})
            self._json(404, {"error": f"no route {self.path}"})

        def do_POST(self):
            time.sleep(delay)
            try:
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            except ValueError:
                return self._json(400, {"error": "the body is not JSON"})
            try:
                if self.path in ("/", "/generate"):
                    return self._json(200, self._generate(data))
                if self.path == "/v1/chat/completions":
                    return self._json(200, self._chat(data))
            except BackendError as e:
                return self._json(422, {"error": str(e), "error_type": "validation"})
            except Exception as e:  # noqa: BLE001 - the client gets the reason, the server keeps serving
                return self._json(500, {"error": f"{type(e).__name__}: {e}"[:1000], "error_type": "generation"})
            self._json(404, {"error": f"no route {self.path}"})

        def _decoding(self, p, max_tokens_key):
            temperature = p.get("temperature") or 0.0
            if p.get("do_sample") is False:
                temperature = 0.0
            return Decoding(
                max_new_tokens=int(p.get(max_tokens_key) or 64),
                temperature=float(temperature),
                top_p=float(p.get("top_p") or 1.0),
                stop=tuple(p.get("stop") or ()),
                seed=int(p.get("seed") or 0),
            )

        def _generate(self, data):
            p = data.get("parameters") or {}
            if not isinstance(data.get("inputs"), str):
                raise BackendError("inputs must be the prompt text")
            g = batcher.submit(
                p.get("base_model"), p.get("adapter_id") or "", data["inputs"], self._decoding(p, "max_new_tokens")
            )
            reason = {"stop": "eos_token", "length": "length"}[g.finish_reason]
            return {
                "generated_text": g.text,
                "details": {
                    "finish_reason": reason,
                    "generated_tokens": g.completion_tokens,
                    "seed": p.get("seed"),
                    "prefill": [{"id": 0, "text": "", "logprob": None}] * g.prompt_tokens,
                    "tokens": [],
                },
            }

        def _chat(self, data):
            if not batcher.pool.default:
                raise BackendError("this server was started without a default model: use POST /generate")
            messages = data.get("messages") or []
            try:  # the model's chat template, or the alpaca prompt for a model without one
                asked = Record.chat([*messages, {"role": "assistant", "content": ""}])
                prompt = prompt_for(asked, load_tokenizer(batcher.pool.default)).text
            except RenderError as e:
                raise BackendError(f"the conversation cannot be put in the model's prompt format: {e}") from None
            model = data.get("model") or model_name
            adapter = "" if model == model_name else model
            if adapter and adapter not in self._adapters():
                raise BackendError(f"no adapter called {adapter!r} is loaded (have: {', '.join(self._adapters())})")
            g = batcher.submit(None, adapter, prompt, self._decoding(data, "max_tokens"))
            return {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "local",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": g.text},
                        "finish_reason": g.finish_reason,
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": g.prompt_tokens,
                    "completion_tokens": g.completion_tokens,
                    "total_tokens": g.prompt_tokens + g.completion_tokens,
                },
            }

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 dropped connections when a burst of clients connected at once


def serve(
    backend=None, model_name="base", host="127.0.0.1", port=0, delay=0.0, roots=(), window=0.01, size=16, cores=None
):
    """Start the server in a thread; returns (server, base_url). server.shutdown() stops it;
    server.batcher is its batcher. `backend` (a LocalBackend) is the default model, if any."""
    pool = ModelPool(roots, batch_size=size)
    if backend is not None:
        pool.default = backend.base_model
        pool.backends[backend.base_model] = backend
    batcher = Batcher(pool, window=window, size=size, cores=cores)
    server = Server((host, port), make_handler(batcher, model_name, delay))
    server.batcher = batcher
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def use_cores():
    """torch's thread count for the cores this process may run on (not the machine's). Its OpenMP
    threads sleep when idle instead of spinning: the cores are shared with the web server and the
    worker (on a busy 2-core machine spinning made one generate 10-40x slower)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch starts OpenMP: before the import
    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(max(1, cores))
    return cores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="the default model folder (optional)")
    parser.add_argument("--adapter", action="append", default=[], help="NAME=DIR, for the default model")
    parser.add_argument(
        "--root", action="append", default=[], help="serve model and adapter folders below DIR (or DIR,DIR...)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--window-ms", type=float, default=5.0)
    args = parser.parse_args()
    cores = use_cores()
    adapters = dict(a.split("=", 1) for a in args.adapter)
    backend = LocalBackend(args.model, adapters, batch_size=args.batch_size) if args.model else None
    server, url = serve(
        backend,
        host=args.host,
        port=args.port,
        roots=args.root,
        window=args.window_ms / 1000,
        size=args.batch_size,
        cores=cores,
    )
    print(
        f"model server on {url} ({cores} cores; TGI: POST /generate; OpenAI: POST /v1/chat/completions); "
        f"models below {', '.join(args.root) or '(none)'}",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
