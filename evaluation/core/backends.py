"""Generation backends behind one interface (plain Python).

- LocalBackend: transformers (+ peft adapters) in this process, batched. The local model server
  (local_server.py) runs it, and a worker does when no server is configured; the web process never.
- ModelServerBackend: the local model server's client (TGI's native route), naming the base model
  folder and the adapter folder with each request: the embedded default (LOCAL_MODEL_SERVER_URL).
- TGIBackend: Text Generation Inference's native route through huggingface_hub.InferenceClient,
  the base model served with the runs' LoRA adapters, picked per request by adapter_id.
- OpenAIBackend: any OpenAI-compatible server (vLLM, SGLang, TGI's Messages API) through
  chat_completion.

Every backend takes the same Decoding for both sides of a comparison and returns, per request,
the text, the finish reason and the token counts, so a run records exactly how each output came
to be. A server that is down or slow raises BackendError after a few retries, never hangs.
"""

import http.client
import json
import logging
import socket
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace

from studio.core.adapters import is_prompt_learning
from studio.core.prompts import load_tokenizer

# peft imports bitsandbytes when it is installed, and bitsandbytes warns at import that an optional
# CPU kernel package ("kernels") is missing; it falls back to plain torch, so the warning is noise
logging.getLogger("bitsandbytes.backends.cpu.ops").setLevel(logging.ERROR)


class BackendError(RuntimeError):
    """The backend could not answer; the message says which server and why."""


# A connection test waits at most this long, whatever the backend's own timeout per request.
CONNECTION_TEST_TIMEOUT = 10


def refuse_internal_address(url, resolve=None, trusted_hosts=()):
    """Raise BackendError when the server's host name resolves to any loopback, private,
    link-local or otherwise internal address, so a connection test cannot be used to probe the
    studio's own network (the cloud metadata service at 169.254.169.254, the database, ...).
    Every address the name resolves to is checked, not only the first. Host names in
    `trusted_hosts` (a serving container on the studio's own network, say `tgi`) pass."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise BackendError(f"{url}: no host name in the address")
    if host.lower() in {h.lower() for h in trusted_hosts}:
        return
    resolve = resolve or socket.getaddrinfo
    try:
        infos = resolve(host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise BackendError(f"{url}: the host name {host} does not resolve ({e})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if getattr(address, "ipv4_mapped", None):
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise BackendError(
                f"{url}: {host} is the internal address {address} (loopback, private or link-local); "
                "the studio only connects to public servers, to hosts named in SERVING_TRUSTED_HOSTS, "
                "or to any server when SERVING_ALLOW_PRIVATE is set"
            )
    return host, sorted({info[4][0] for info in infos})


# Host name -> [(checked addresses, ...)]: while a name is pinned, this process resolves it to the
# addresses the check saw (the last pin wins), so a second DNS answer cannot point the connection
# elsewhere (DNS rebinding: public for the check, 169.254.169.254 for the request).
_pins = {}
_pins_lock = threading.Lock()
_real_getaddrinfo = None


def _pinned_getaddrinfo(host, port, *args, **kwargs):
    key = host.lower() if isinstance(host, str) else host
    with _pins_lock:
        pinned = _pins.get(key, [None])[-1]
    if pinned is None:
        return _real_getaddrinfo(host, port, *args, **kwargs)
    out = []
    for address in pinned:  # literal addresses: no DNS is asked
        out += _real_getaddrinfo(address, port, *args, **kwargs)
    return out


class public_only:
    """`with public_only(url, trusted_hosts):` refuse_internal_address(url), then, until the block
    ends, every connection this process makes to the url's host goes to the addresses just checked
    (TLS still checks the certificate against the host name)."""

    def __init__(self, url, trusted_hosts=(), resolve=None):
        self.url, self.trusted_hosts, self.resolve = url, trusted_hosts, resolve
        self.host = None

    def __enter__(self):
        global _real_getaddrinfo
        checked = refuse_internal_address(self.url, resolve=self.resolve, trusted_hosts=self.trusted_hosts)
        if checked is None:  # a trusted host: connected to as it resolves
            return self
        self.host, self.addresses = checked[0].lower(), checked[1]
        with _pins_lock:
            if _real_getaddrinfo is None:
                _real_getaddrinfo = socket.getaddrinfo
                socket.getaddrinfo = _pinned_getaddrinfo
            _pins.setdefault(self.host, []).append(self.addresses)
        return self

    def __exit__(self, *exc):
        if self.host is not None:
            with _pins_lock:
                stack = _pins[self.host]
                stack.remove(self.addresses)
                if not stack:
                    del _pins[self.host]
        return False


class PublicOnlyBackend:
    """A backend (an outside judge's server) that connects only to its server's public addresses:
    each call checks them and holds the connections to them (public_only)."""

    def __init__(self, backend, url, trusted_hosts=()):
        self.backend, self.url, self.trusted_hosts = backend, url, tuple(trusted_hosts)

    def generate(self, requests, decoding=None):
        with public_only(self.url, self.trusted_hosts):
            return self.backend.generate(requests, decoding or Decoding())

    def __getattr__(self, name):
        return getattr(self.backend, name)


@dataclass(frozen=True)
class Decoding:
    max_new_tokens: int = 256
    temperature: float = 0.0  # 0: greedy
    top_p: float = 1.0
    stop: tuple = ()
    seed: int = 0

    def as_dict(self):
        return {**asdict(self), "stop": list(self.stop)}


@dataclass(frozen=True)
class Request:
    prompt: str  # rendered with the model's template (studio/core/prompts.py)
    messages: tuple = ()  # the same prompt as chat turns, for chat-completion servers
    adapter: str = ""  # "" for the base model, else the adapter's id/name


@dataclass
class Generation:
    text: str
    finish_reason: str  # stop or length
    prompt_tokens: int
    completion_tokens: int
    seconds: float = 0.0
    decoding: dict = field(default_factory=dict)


class LocalBackend:
    """transformers in this process; adapters are folders, loaded once and switched per request.
    LoRA adapters share one copy of the base model; soft prompts (prompt tuning), which peft will
    not mix with them, share a second copy, loaded when the first one is asked for."""

    def __init__(self, base_model, adapters=None, batch_size=8):
        self.base_model = str(base_model)
        self.adapters = dict(adapters or {})  # name -> folder
        self.prompts = {n for n, f in self.adapters.items() if is_prompt_learning(f)}  # soft-prompt names
        self.batch_size = batch_size
        self._model = self._prompt_model = None
        self.parameters = 0  # the base model's, once loaded

    def _base(self):
        import torch
        from transformers import AutoModelForCausalLM

        if not hasattr(self, "tokenizer"):
            self.tokenizer = load_tokenizer(self.base_model, shared=False)  # its own: padding is set below
            self.tokenizer.padding_side = "left"
            if self.tokenizer.pad_token is None:
                self.tokenizer.pad_token = self.tokenizer.eos_token
        model = AutoModelForCausalLM.from_pretrained(
            self.base_model,
            local_files_only=True,
            dtype=torch.bfloat16 if torch.cuda.is_available() else torch.float32,
        )
        self.parameters = sum(p.numel() for p in model.parameters())
        return model

    @staticmethod
    def _with_adapters(model, adapters):
        import torch

        if adapters:
            from peft import PeftModel

            names = list(adapters)
            model = PeftModel.from_pretrained(model, adapters[names[0]], adapter_name=names[0])
            for name in names[1:]:
                model.load_adapter(adapters[name], adapter_name=name)
        return model.to("cuda" if torch.cuda.is_available() else "cpu").eval()

    def _load(self, adapter=""):
        """The model that serves `adapter` ("" the base model): the LoRA copy, or the soft prompts'."""
        if adapter in self.prompts:
            if self._prompt_model is None:
                prompts = {n: f for n, f in self.adapters.items() if n in self.prompts}
                self._prompt_model = self._with_adapters(self._base(), prompts)
            return self._prompt_model
        if self._model is None:
            weights = {n: f for n, f in self.adapters.items() if n not in self.prompts}
            self._model = self._with_adapters(self._base(), weights)
        return self._model

    def add_adapter(self, name, folder):
        """Load one more adapter next to those already loaded (nothing else reloads)."""
        if name in self.adapters:
            return
        prompt = is_prompt_learning(folder)
        loaded = self._prompt_model if prompt else self._model
        if loaded is not None:
            from peft import PeftModel

            if isinstance(loaded, PeftModel):
                loaded.load_adapter(folder, adapter_name=name)
            else:
                loaded = PeftModel.from_pretrained(loaded, folder, adapter_name=name).eval()
            if prompt:
                self._prompt_model = loaded
            else:
                self._model = loaded
        self.adapters[name] = str(folder)
        if prompt:
            self.prompts.add(name)

    def generate(self, requests, decoding=Decoding()):
        out = [None] * len(requests)
        by_adapter = {}
        for i, r in enumerate(requests):
            if r.adapter and r.adapter not in self.adapters:
                raise BackendError(
                    f"no adapter called {r.adapter!r} is loaded (have: {', '.join(self.adapters) or 'none'})"
                )
            by_adapter.setdefault(r.adapter, []).append(i)
        for adapter, indexes in by_adapter.items():
            for start in range(0, len(indexes), self.batch_size):
                chunk = indexes[start : start + self.batch_size]
                prompts = [requests[i].prompt for i in chunk]
                for i, g in zip(chunk, self._batch(self._load(adapter), adapter, prompts, decoding)):
                    out[i] = g
        return out

    def reference_nll(self, pairs, adapter=""):
        """(summed negative log-likelihood, token count) of reference completions given their
        prompts: the numerator and denominator of token-weighted perplexity."""
        import torch
        from peft import PeftModel

        model = self._load(adapter)
        tok = self.tokenizer
        total, count = 0.0, 0
        # a soft prompt is put before the text: its logits come first, one per virtual token
        skip = model.peft_config[adapter].num_virtual_tokens if adapter in self.prompts else 0
        for prompt, completion in pairs:
            prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
            ids = tok(prompt + completion, add_special_tokens=False)["input_ids"]
            n = 0
            while n < min(len(prompt_ids), len(ids)) and prompt_ids[n] == ids[n]:
                n += 1
            if n >= len(ids):
                continue
            x = torch.tensor([ids], device=model.device)
            with torch.no_grad():
                if isinstance(model, PeftModel) and adapter:
                    model.set_adapter(adapter)
                    logits = model(x).logits[:, skip:]
                elif isinstance(model, PeftModel):
                    with model.disable_adapter():
                        logits = model(x).logits
                else:
                    logits = model(x).logits
            logprobs = torch.log_softmax(logits[0, :-1].float(), dim=-1)
            targets = x[0, 1:]
            picked = (
                logprobs[torch.arange(len(targets)), targets][n - 1 :]
                if n > 0
                else logprobs[torch.arange(len(targets)), targets]
            )
            total -= float(picked.sum())
            count += int(picked.numel())
        return total, count

    def _batch(self, model, adapter, prompts, decoding):
        import torch

        started = time.monotonic()
        tok = self.tokenizer
        enc = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        kwargs = {
            "max_new_tokens": decoding.max_new_tokens,
            "pad_token_id": tok.pad_token_id,
            "eos_token_id": tok.eos_token_id,
        }
        if decoding.temperature > 0:
            torch.manual_seed(decoding.seed)
            kwargs.update(do_sample=True, temperature=decoding.temperature, top_p=decoding.top_p)
        else:
            kwargs.update(do_sample=False)
        if decoding.stop:
            kwargs.update(stop_strings=list(decoding.stop), tokenizer=tok)
        from peft import PeftModel

        with torch.no_grad():
            if isinstance(model, PeftModel):  # pick the adapter, or none for the base model
                if adapter:
                    model.set_adapter(adapter)
                    output = model.generate(**enc, **kwargs)
                else:
                    with model.disable_adapter():
                        output = model.generate(**enc, **kwargs)
            else:
                output = model.generate(**enc, **kwargs)
        seconds = (time.monotonic() - started) / len(prompts)
        results = []
        width = enc["input_ids"].shape[1]
        for row, mask in zip(output, enc["attention_mask"]):
            new = row[width:].tolist()
            ended = tok.eos_token_id in new
            if ended:
                new = new[: new.index(tok.eos_token_id)]
            while new and new[-1] == tok.pad_token_id:
                new.pop()
            text = tok.decode(new, skip_special_tokens=True)
            hit_stop = next((s for s in decoding.stop if s in text), None)
            if hit_stop:
                text = text[: text.index(hit_stop)]
            reason = "stop" if ended or hit_stop else "length"
            results.append(Generation(text, reason, int(mask.sum()), len(new), seconds, decoding.as_dict()))
        return results


def _retry(call, what, retries, backoff=0.5):
    last = None
    for attempt in range(retries + 1):
        try:
            return call()
        except BackendError:  # the server answered and refused: asking again will not help
            raise
        except Exception as e:  # network errors, timeouts, 5xx: all worth a retry
            last = e
            if attempt < retries:
                time.sleep(backoff * (2**attempt))
    raise BackendError(f"{what}: no answer after {retries + 1} tries ({type(last).__name__}: {str(last)[:300]})")


class TGIBackend:
    """TGI's native route; adapters are the names TGI was started with (LORA_ADAPTERS)."""

    def __init__(self, base_url, timeout=60, retries=2, concurrency=8, token=None):
        from huggingface_hub import InferenceClient

        self.base_url = base_url
        self.client = InferenceClient(base_url=base_url, timeout=timeout, token=token)
        self.retries, self.concurrency = retries, concurrency

    def _one(self, r, decoding):
        started = time.monotonic()
        response = _retry(
            lambda: self.client.text_generation(
                r.prompt,
                details=True,
                max_new_tokens=decoding.max_new_tokens,
                adapter_id=r.adapter or None,
                do_sample=decoding.temperature > 0,
                temperature=decoding.temperature or None,
                top_p=decoding.top_p if decoding.top_p < 1 else None,
                stop=list(decoding.stop) or None,
                seed=decoding.seed,
            ),
            f"TGI at {self.base_url}",
            self.retries,
        )
        details = response.details
        reason = "length" if details.finish_reason == "length" else "stop"
        prompt_tokens = len(details.prefill) if details.prefill else 0
        return Generation(
            response.generated_text,
            reason,
            prompt_tokens,
            details.generated_tokens,
            time.monotonic() - started,
            decoding.as_dict(),
        )

    def generate(self, requests, decoding=Decoding()):
        with ThreadPoolExecutor(self.concurrency) as pool:
            return list(pool.map(lambda r: self._one(r, decoding), requests))


class OpenAIBackend:
    """/v1/chat/completions on vLLM, SGLang or TGI; `adapter` is the served model name."""

    def __init__(self, base_url, model, timeout=60, retries=2, concurrency=8, api_key=None):
        from huggingface_hub import InferenceClient

        self.base_url, self.model = base_url, model
        self.client = InferenceClient(base_url=base_url, timeout=timeout, api_key=api_key)
        self.retries, self.concurrency = retries, concurrency

    def _one(self, r, decoding):
        started = time.monotonic()
        response = _retry(
            lambda: self.client.chat_completion(
                [dict(m) for m in r.messages],
                model=r.adapter or self.model,
                max_tokens=decoding.max_new_tokens,
                temperature=decoding.temperature,
                top_p=decoding.top_p,
                stop=list(decoding.stop) or None,
                seed=decoding.seed,
            ),
            f"the OpenAI-compatible server at {self.base_url}",
            self.retries,
        )
        choice = response.choices[0]
        reason = "length" if choice.finish_reason == "length" else "stop"
        usage = response.usage
        return Generation(
            choice.message.content or "",
            reason,
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
            time.monotonic() - started,
            decoding.as_dict(),
        )

    def generate(self, requests, decoding=Decoding()):
        with ThreadPoolExecutor(self.concurrency) as pool:
            return list(pool.map(lambda r: self._one(r, decoding), requests))


class Connections:
    """Kept-alive HTTP connections to one server, shared by every client of it in this process
    (the API makes a ModelServerBackend per request): a request takes an idle connection or opens
    one, and gives it back once the answer is read. Opening a connection per request cost the API
    a TCP handshake and a server thread's start on every completion."""

    pools = {}  # (scheme, host, port) -> Connections
    pools_lock = threading.Lock()

    def __init__(self, scheme, host, port):
        self.scheme, self.host, self.port = scheme, host, port
        self.idle = []
        self.lock = threading.Lock()

    @classmethod
    def to(cls, url):
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme or "http", parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        with cls.pools_lock:
            return cls.pools.setdefault(key, cls(*key))

    def _open(self, timeout):
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        connection = kind(self.host, self.port, timeout=timeout)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small requests go out at once
        return connection

    def post(self, path, body, timeout):
        """(status, body bytes) of a JSON POST. A kept connection the server has closed meanwhile
        is dropped and the request sent once more on a new one (nothing was generated for it)."""
        with self.lock:
            connection = self.idle.pop() if self.idle else None
        for fresh in (False, True) if connection else (True,):
            if fresh:
                connection = self._open(timeout)
            connection.sock.settimeout(timeout)
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if fresh:
                    raise
                continue
            except BaseException:
                connection.close()
                raise
            if response.will_close:
                connection.close()
            else:
                with self.lock:
                    self.idle.append(connection)
            return response.status, data
        raise AssertionError("unreachable: the last try opens a new connection")


class RoutedBackend:
    """One backend for runs of both kinds: requests naming a whole model (a full fine-tune, whose
    folder is a model of its own rather than an adapter of the base) go to that model's backend,
    asked as its base; everything else goes to `main` (the base model and its adapters)."""

    def __init__(self, main, models):
        self.main = main
        self.models = dict(models)  # name -> a backend serving that model folder as its base
        self.gives_nll = hasattr(main, "reference_nll")

    def generate(self, requests, decoding=Decoding()):
        out = [None] * len(requests)
        groups = {}
        for i, r in enumerate(requests):
            target = self.models.get(r.adapter)
            key = r.adapter if target is not None else ""
            groups.setdefault(key, []).append(i)
        for key, indexes in groups.items():
            backend = self.models[key] if key else self.main
            asked = [replace(requests[i], adapter="") if key else requests[i] for i in indexes]
            for i, g in zip(indexes, backend.generate(asked, decoding)):
                out[i] = g
        return out

    def reference_nll(self, pairs, adapter=""):
        if adapter in self.models:
            return self.models[adapter].reference_nll(pairs, adapter="")
        return self.main.reference_nll(pairs, adapter=adapter)


class ModelServerBackend:
    """The local model server (evaluation/core/local_server.py) over HTTP: each request names the
    base model folder and the adapter folder, so one server serves every base model of the studio
    and any run's adapter (folders only below the roots it was started with). No torch here."""

    def __init__(self, base_url, base_model, adapters=None, timeout=120, retries=1, concurrency=16):
        self.base_url = base_url.rstrip("/")
        self.base_model = str(base_model)
        self.adapters = dict(adapters or {})  # name -> folder
        self.timeout, self.retries, self.concurrency = timeout, retries, concurrency
        self.connections = Connections.to(self.base_url)
        self.path = urllib.parse.urlsplit(self.base_url).path + "/generate"

    def _post(self, payload):
        status, data = self.connections.post(self.path, json.dumps(payload).encode(), self.timeout)
        if status == 200:
            return json.loads(data)
        try:
            reason = json.loads(data).get("error", "") or f"HTTP {status}"
        except (ValueError, AttributeError):
            reason = f"HTTP {status}: {data[:300]!r}"
        if 400 <= status < 500:  # the server refused the request: asking again will not help
            raise BackendError(f"the model server at {self.base_url} refused: {reason}")
        raise RuntimeError(f"HTTP {status}: {reason}")

    def _one(self, r, decoding):
        if r.adapter and r.adapter not in self.adapters:
            raise BackendError(f"no adapter called {r.adapter!r} (have: {', '.join(self.adapters) or 'none'})")
        started = time.monotonic()
        payload = {
            "inputs": r.prompt,
            "parameters": {
                "base_model": self.base_model,
                "adapter_id": self.adapters.get(r.adapter) if r.adapter else None,
                "max_new_tokens": decoding.max_new_tokens,
                "do_sample": decoding.temperature > 0,
                "temperature": decoding.temperature or None,
                "top_p": decoding.top_p,
                "stop": list(decoding.stop),
                "seed": decoding.seed,
                "details": True,
            },
        }
        answer = _retry(lambda: self._post(payload), f"the model server at {self.base_url}", self.retries)
        details = answer.get("details") or {}
        return Generation(
            answer["generated_text"],
            "length" if details.get("finish_reason") == "length" else "stop",
            len(details.get("prefill") or ()),
            int(details.get("generated_tokens") or 0),
            time.monotonic() - started,
            decoding.as_dict(),
        )

    def generate(self, requests, decoding=Decoding()):
        if len(requests) == 1:
            return [self._one(requests[0], decoding)]
        with ThreadPoolExecutor(min(self.concurrency, len(requests))) as pool:  # the server batches them
            return list(pool.map(lambda r: self._one(r, decoding), requests))
