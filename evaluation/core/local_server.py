"""A small HTTP server that speaks TGI's native route and the OpenAI chat-completions route,
serving a local model (and its LoRA adapters) through LocalBackend. The clients' contract
tests run against it; it also lets a laptop try the TGI and OpenAI backends without a GPU:

    python -m evaluation.core.local_server MODEL_DIR [--adapter NAME=DIR ...] [--port 8081]
"""

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from evaluation.core.backends import BackendError, Decoding, LocalBackend, Request
from studio.core.prompts import RenderError, prompt_for
from studio.core.records import Record


def make_handler(backend, model_name, delay=0.0):
    lock = threading.Lock()  # one generate at a time: the model is not thread-safe

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path in ("/info", "/health"):
                return self._json(200, {"model_id": model_name, "adapters": sorted(backend.adapters)})
            if self.path == "/v1/models":
                return self._json(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": m, "object": "model"} for m in [model_name, *sorted(backend.adapters)]],
                    },
                )
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
            with lock:
                (g,) = backend.generate(
                    [Request(prompt=data["inputs"], adapter=p.get("adapter_id") or "")],
                    self._decoding(p, "max_new_tokens"),
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
            backend._load()
            messages = data.get("messages") or []
            try:  # the model's chat template, or the alpaca prompt for a model without one
                asked = Record.chat([*messages, {"role": "assistant", "content": ""}])
                prompt = prompt_for(asked, backend.tokenizer).text
            except RenderError as e:
                raise BackendError(f"the conversation cannot be put in the model's prompt format: {e}") from None
            model = data.get("model") or model_name
            adapter = "" if model == model_name else model
            with lock:
                (g,) = backend.generate([Request(prompt=prompt, adapter=adapter)], self._decoding(data, "max_tokens"))
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


def serve(backend, model_name="base", host="127.0.0.1", port=0, delay=0.0):
    """Start the server in a thread; returns (server, base_url). server.shutdown() stops it."""
    server = ThreadingHTTPServer((host, port), make_handler(backend, model_name, delay))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--adapter", action="append", default=[], help="NAME=DIR")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    backend = LocalBackend(args.model, dict(a.split("=", 1) for a in args.adapter))
    server, url = serve(backend, port=args.port)
    print(f"serving {args.model} on {url} (TGI: POST /generate; OpenAI: POST /v1/chat/completions)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
