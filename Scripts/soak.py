#!/usr/bin/env python3
"""Hostile-client soak for `mirror-bert serve` (issue 17): starts the server on 127.0.0.1, then
attacks it over loopback while well-behaved clients keep asking for embeddings and check every
answer against `mirror-bert encode --normalize` of the same texts (within 1e-5).

Attack classes (each a few concurrent workers, looping until the phase ends):
  slow-headers     slowloris: a head trickled one header line every 0.5 s (expect 408 at --header-timeout)
  slow-body        a body trickled one byte every 0.5 s (expect 408 at --body-timeout)
  partial-head     half a head, then silence (expect 408 at --header-timeout)
  silent           connect, send nothing, wait (expect a close at --idle-timeout)
  abandon          connect and close at once; send a request and leave before the answer;
                   send half a body and leave
  over-limits      bodies over the payload limit (declared and chunked), more inputs than the
                   batch limit, a text over the length limit, a text over the model's tokens with
                   truncate false, too many dimensions, a 100,000-character model name, a 100 KiB
                   header, 1,100 headers, a 100 KiB URL
  bad-chunked      malformed chunked encoding (bad and overflowing sizes, missing CRLF, NUL,
                   negative size, chunked with Content-Length, a body cut short)
  bad-utf8-nul     invalid UTF-8 (bad bytes, overlong, surrogates, truncated) and NUL in JSON strings
  10k-inputs       10,000 inputs in one request (/embed, /v1/embeddings, /tokenize, /v1/similarity)
  deep-json        JSON nested 100, 10,000 and 500,000 levels deep
  burst-256        256 clients at once, each a valid one-text request (checked like a well-behaved
                   one), every 15 s
The slow classes run 48, 24, 16 and 32 connections at once; the others are paced (over-limits
20/s, bad-chunked 20/s, bad-utf8-nul 10/s, deep-json 8/s, 10k-inputs 4/s, abandon 30/s;
--rate-scale multiplies these, 0 floods). So the well-behaved clients stay below every limit: at
most ~450 connections (cap 1024), ~300 requests in flight (cap 512; a slow body holds a place),
~300 texts queued (cap 1024). --classes runs some classes only (to find what a problem comes from).

Phases: warm-up (attacks and well-behaved clients, so every buffer the attack needs has been
allocated once), calm (well-behaved clients only: their latency without attack, then the
server's RSS "after warm-up"), attack (--seconds), cool-down (well-behaved clients only, until
the attack's connections are closed; then RSS "at the end", in the same state as after warm-up),
then SIGTERM and a graceful exit.

Checks (exit 1 if any fails): every well-behaved request answered 200 with vectors within 1e-5
of encode's; server RSS at the end at most 10% above after warm-up; the server alive throughout
and exiting 0 on SIGTERM; no attack answered 5xx (or 200 where it must fail), no attack
connection held past the server's deadlines (client-side timeout), no error echoing a long
value back, invalid UTF-8 named as such.

Loopback only. Every loop is bounded by its phase's end and a count; the whole run by a hard
timeout. Python standard library only. The client shares the machine's cores with the server.

usage: Scripts/soak.py --bin .build/release/mirror-bert [--model models/all-MiniLM-L6-v2]
       [--seconds 600] [--warmup 60] [--calm 60] [--rate-scale 1] [--classes a,b] [--out DIR]
Writes the server's log, the reference vectors and summary.txt to --out.
"""
import argparse
import asyncio
import base64
import json
import os
import random
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter

HOST = "127.0.0.1"  # loopback only, always
TOLERANCE = 1e-5
# Deadlines short enough that the attack's connections turn over many times in a run.
HEADER_TIMEOUT, BODY_TIMEOUT, IDLE_TIMEOUT = 5, 10, 15
SERVER_FLAGS = ["--precision", "fp32",  # fp32: batching changes a vector by rounding only (bf16 flips bits)
                "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT),
                "--idle-timeout", str(IDLE_TIMEOUT)]
WELL_BEHAVED_CLIENTS = 4
MAX_COUNT = 1_000_000  # per worker: a bound besides time
ATTACKS = ["slow-headers", "slow-body", "partial-head", "silent", "abandon", "over-limits", "bad-chunked", "bad-utf8-nul",
           "10k-inputs", "deep-json", "burst-256"]
TEXTS = [
    "A man is playing a guitar.", "A woman is slicing an onion.", "Three dogs run on the beach.",
    "The stock market fell sharply on Tuesday after the central bank raised interest rates.",
    "ünïcödé, accents: café, naïve, façade, Ångström.", "中文文本也应该被正确地编码。", "日本語のテキストです。",
    "Emoji are text too 🙂🚀", "short", "Why is the sky blue?",
    "The quick brown fox jumps over the lazy dog while the cat watches from the window sill.",
    "Photosynthesis converts light energy into chemical energy stored in glucose molecules.",
    "A child in a red coat is flying a kite on a windy hill near the sea.",
    "Mirror-BERT turns a masked language model into a sentence encoder in about a minute.",
    "SELECT name FROM users WHERE id = 42;", "tabs\tand  double  spaces",
    "Numbers: 3.14159, 2.71828, 1,000,000 and -42.", "He said, \"quotes\" and 'apostrophes' are fine.",
    " ".join(["a long sentence with many repeated words"] * 12),
    "Καλημέρα κόσμε", "Привет, мир", "مرحبا بالعالم",
]


# MARK: - Tallies

class Tally:
    """Requests sent by one class in one phase, what they got, and the unexpected ones."""

    def __init__(self):
        self.sent = 0
        self.outcomes = Counter()
        self.unexpected = Counter()
        self.examples = []  # a few unexpected outcomes, described
        self.held = []  # seconds until the server answered or closed (slow classes)
        self.latency = []  # seconds per request (well-behaved)

    def record(self, outcome, expected, note="", held=None):
        self.sent += 1
        self.outcomes[outcome] += 1
        if held is not None:
            self.held.append(held)
        if not expected:
            self.unexpected[outcome] += 1
            if len(self.examples) < 8:
                self.examples.append(f"{outcome} {note}"[:300])


class Context:
    def __init__(self, port, reference, info):
        self.port = port
        self.reference = reference  # text -> normalized vector from `encode`
        self.info = info  # GET /info
        self.phase = "warm-up"
        self.tallies = {}  # (phase, class) -> Tally
        self.stop_well_behaved = False
        self.crashed = None
        self.rate_scale = 1.0

    def tally(self, name, phase=None):
        return self.tallies.setdefault((phase or self.phase, name), Tally())


# MARK: - HTTP over raw streams

def request_bytes(method, path, body=b"", headers=(), keepalive=False, chunked=False):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if not keepalive:
        lines.append("Connection: close")
    if body or method == "POST":
        lines.append("Content-Type: application/json")
        lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}")
    lines += list(headers)
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if chunked:
        pieces = [body[i:i + 65536] for i in range(0, len(body), 65536)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return head + body


async def read_response(reader):
    """(status, headers, body) of one response; raises IncompleteReadError if closed first."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += data[:-2]
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body = await reader.read()
    return status, headers, body


class Connections:
    """The client's connections open now and at most (all of them, well-behaved included)."""
    open = set()
    most = 0


async def connect(port):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 10)
    Connections.open.add(writer)
    Connections.most = max(Connections.most, len(Connections.open))
    return reader, writer


def close(writer, graceful=False):
    """Closes at once: an abort (the server sees a reset, as from a client that went away), or with
    `graceful` a FIN after what was written."""
    Connections.open.discard(writer)
    if graceful:
        writer.close()
    elif writer.transport:
        writer.transport.abort()


async def exchange(port, raw, timeout=60, half_close=False):
    """Sends `raw` on a new connection and reads one answer: (outcome, status, headers, body)
    with outcome the status as text, "closed" (no answer before EOF), "reset", "refused" or
    "client-timeout". A write cut short by the server (an early 413) still reads its answer."""
    try:
        reader, writer = await connect(port)
    except (OSError, asyncio.TimeoutError) as e:
        return ("refused" if isinstance(e, ConnectionRefusedError) else "connect-timeout"), None, {}, b""
    try:
        async with asyncio.timeout(timeout):
            try:
                writer.write(raw)
                await writer.drain()
                if half_close:
                    writer.write_eof()
            except (ConnectionResetError, BrokenPipeError):
                pass
            try:
                status, headers, body = await read_response(reader)
                return str(status), status, headers, body
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return "closed", None, {}, b""
            except ConnectionResetError:
                return "reset", None, {}, b""
            except (ValueError, IndexError):
                return "garbage", None, {}, b""
    except TimeoutError:
        return "client-timeout", None, {}, b""
    finally:
        close(writer)


def error_message(body):
    try:
        j = json.loads(body)
    except ValueError:
        return ""
    e = j.get("error") if isinstance(j, dict) else None
    return e.get("message", "") if isinstance(e, dict) else (e or "")


# MARK: - Well-behaved clients

def embed_request(texts, route, rng, model):
    """The JSON body, with non-ASCII text as \\u escapes or raw UTF-8 at random."""
    body = {"inputs": texts} if route == "/embed" else {"input": texts}
    if route == "base64":
        body["encoding_format"] = "base64"
    if route != "/embed" and rng.random() < 0.5:
        body["model"] = model
    return json.dumps(body, ensure_ascii=rng.random() < 0.5).encode()


def vectors_of(route, body, dimension):
    j = json.loads(body)
    if route == "/embed":
        return j
    rows = sorted(j["data"], key=lambda d: d["index"])
    if route == "base64":
        return [list(struct.unpack(f"<{dimension}f", base64.b64decode(d["embedding"]))) for d in rows]
    return [d["embedding"] for d in rows]


def check_vectors(ctx, texts, route, body):
    """None if every vector is within TOLERANCE of encode's, else what is wrong."""
    dimension = len(next(iter(ctx.reference.values())))
    try:
        got = vectors_of(route, body, dimension)
    except (ValueError, KeyError, TypeError, struct.error) as e:
        return f"unreadable answer: {e}"
    if len(got) != len(texts):
        return f"{len(got)} vectors for {len(texts)} texts"
    for text, v in zip(texts, got):
        ref = ctx.reference[text]
        if len(v) != len(ref):
            return f"dimension {len(v)}, expected {len(ref)}"
        worst = max(abs(a - b) for a, b in zip(v, ref))
        if worst > TOLERANCE:
            return f"max |difference| {worst:.3g} for {text[:40]!r}"
    return None


async def well_behaved(ctx, index):
    """Posts 1-8 texts at a time to /embed or /v1/embeddings (float or base64), keep-alive for
    even-numbered clients, a new connection per request for odd ones; 20 ms between requests."""
    rng = random.Random(index)
    keepalive = index % 2 == 0
    conn = None
    for _ in range(MAX_COUNT):
        if ctx.stop_well_behaved or ctx.crashed:
            break
        texts = rng.sample(TEXTS, rng.randint(1, 8))
        route = rng.choice(["/embed", "/v1/embeddings", "base64"])
        path = "/embed" if route == "/embed" else "/v1/embeddings"
        raw = request_bytes("POST", path, embed_request(texts, route, rng, ctx.info["model_id"]), keepalive=keepalive)
        tally = ctx.tally("well-behaved")
        started = time.perf_counter()
        try:
            async with asyncio.timeout(60):
                if conn is None:
                    conn = await connect(ctx.port)
                reader, writer = conn
                writer.write(raw)
                await writer.drain()
                status, headers, body = await read_response(reader)
            elapsed = time.perf_counter() - started
            if status != 200:
                tally.record(str(status), False, f"{path}: {body[:200]!r}")
            else:
                problem = check_vectors(ctx, texts, route, body)
                tally.record("200" if problem is None else "200-wrong", problem is None, f"{route}: {problem}")
                tally.latency.append(elapsed)
            if not keepalive or headers.get("connection", "").lower() == "close":
                close(conn[1])
                conn = None
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError, IndexError) as e:
            tally.record(type(e).__name__, False, f"{path} keepalive={keepalive}: {e}")
            if conn:
                close(conn[1])
            conn = None
        await asyncio.sleep(0.02)
    if conn:
        close(conn[1])


# MARK: - Attacks

async def trickle(ctx, name, head, piece, expect_status, deadline_seconds, until):
    """One slow connection: sends `head`, then `piece` every 0.5 s until the server answers or
    closes; records the answer and how long the server let it trickle."""
    tally = ctx.tally(name)
    try:
        reader, writer = await connect(ctx.port)
    except (OSError, asyncio.TimeoutError) as e:
        tally.record(type(e).__name__, False)
        return
    started = time.monotonic()
    outcome = "client-timeout"
    try:
        writer.write(head)
        for _ in range(int(deadline_seconds * 2) + 60):  # 30 s past the deadline at most
            if time.monotonic() > until:
                outcome = "phase-end"
                break
            try:
                data = await asyncio.wait_for(reader.read(65536), 0.5)
            except asyncio.TimeoutError:
                try:
                    writer.write(piece)
                    await writer.drain()
                except (ConnectionResetError, BrokenPipeError):
                    pass
                continue
            except ConnectionResetError:
                outcome = "reset"
                break
            if not data:
                outcome = "closed"
                break
            outcome = data.split(b" ", 2)[1].decode("latin-1") if data.startswith(b"HTTP/1.1 ") else "garbage"
            break
    finally:
        close(writer)
    held = time.monotonic() - started
    if outcome == "phase-end":
        return  # cut short by the client: not an outcome of the server's
    expected = outcome in expect_status and held < deadline_seconds + 5
    tally.record(outcome, expected, f"after {held:.1f} s", held=held)


async def hold_silent(ctx, name, head, expect_seconds, until):
    """Connects, sends `head` (possibly nothing), then waits for the server to close."""
    tally = ctx.tally(name)
    try:
        reader, writer = await connect(ctx.port)
    except (OSError, asyncio.TimeoutError) as e:
        tally.record(type(e).__name__, False)
        return
    started = time.monotonic()
    try:
        if head:
            writer.write(head)
        async with asyncio.timeout(max(0.1, min(expect_seconds + 30, until - time.monotonic()))):
            data = await reader.read(65536)
            outcome = "closed" if not data else (data.split(b" ", 2)[1].decode("latin-1")
                                                 if data.startswith(b"HTTP/1.1 ") else "garbage")
    except TimeoutError:
        outcome = "client-timeout" if time.monotonic() < until else "phase-end"
    except ConnectionResetError:
        outcome = "reset"
    finally:
        close(writer)
    held = time.monotonic() - started
    if outcome == "phase-end":
        return
    expected = outcome in ("closed", "reset", "408") and held < expect_seconds + 5
    tally.record(outcome, expected, f"after {held:.1f} s", held=held)


def over_limit_cases(info):
    """(name, request bytes, acceptable outcomes, check of the answer's body or None)."""
    payload = 2 << 20
    max_inputs = info["max_client_batch_size"]
    long_tokens = " ".join(["tokens"] * (info["max_input_length"] + 100))
    short_echo = lambda body: len(body) < 2000 or f"a {len(body)}-byte error answer"
    big = b'{"inputs": "' + b"x" * payload + b'"}'
    return [
        ("payload-declared", request_bytes("POST", "/v1/embeddings", big), {"413", "closed", "reset"}, short_echo),
        ("payload-chunked", request_bytes("POST", "/embed", big, chunked=True), {"413", "closed", "reset"}, short_echo),
        ("batch-size", request_bytes("POST", "/embed", json.dumps({"inputs": ["x"] * (max_inputs + 1)}).encode()),
         {"422"}, short_echo),
        ("batch-size-v1", request_bytes("POST", "/v1/embeddings", json.dumps({"input": ["x"] * (max_inputs + 1)}).encode()),
         {"400"}, short_echo),
        ("text-length", request_bytes("POST", "/v1/embeddings", json.dumps({"input": "y" * 10_001}).encode()),
         {"400"}, short_echo),
        ("tokens-truncate-false", request_bytes("POST", "/embed", json.dumps({"inputs": long_tokens, "truncate": False}).encode()),
         {"422"}, short_echo),
        ("dimensions", request_bytes("POST", "/v1/embeddings", json.dumps({"input": "x", "dimensions": 100_000}).encode()),
         {"400"}, short_echo),
        ("model-100k", request_bytes("POST", "/v1/embeddings", json.dumps({"input": "x", "model": "m" * 100_000}).encode()),
         {"404"}, short_echo),
        ("header-100k", request_bytes("POST", "/embed", b'{"inputs": "x"}', headers=["X-Big: " + "h" * 102_400]),
         {"400", "431", "closed", "reset"}, None),
        ("headers-1100", request_bytes("POST", "/embed", b'{"inputs": "x"}', headers=[f"X-H{i}: v" for i in range(1100)]),
         {"400", "431", "closed", "reset"}, None),
        ("url-100k", request_bytes("GET", "/" + "u" * 102_400), {"400", "404", "414", "closed", "reset"}, short_echo),
    ]


def malformed_chunked_cases():
    head = b"POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    refused = {"400", "422", "closed", "reset"}
    return [
        ("bad-hex", head + b"\r\nzz\r\n{}\r\n0\r\n\r\n", refused, False),
        ("overflowing-size", head + b"\r\nffffffffffffffffffffffff\r\nab\r\n0\r\n\r\n", refused, False),
        ("missing-crlf", head + b"\r\n3\r\n{}xyz\r\n0\r\n\r\n", refused, False),
        ("nul-in-size", head + b"\r\n1\x002\r\n{\"inputs\": \"x\"}\r\n0\r\n\r\n", refused, False),
        ("negative-size", head + b"\r\n-5\r\nabcde\r\n0\r\n\r\n", refused, False),
        ("longer-than-size", head + b"\r\n2\r\n{\"inputs\": \"x\"}\r\n0\r\n\r\n", refused, False),
        ("chunked-and-length", head + b"Content-Length: 5\r\n\r\n3\r\nabc\r\n0\r\n\r\n", refused, False),
        ("cut-short", head + b"\r\n20\r\n{\"inputs\": \"x", refused, True),  # the client half-closes
        ("size-line-garbage", head + b"\r\n5 garbage here\r\n{\"a\":\r\n0\r\n\r\n", refused, False),
    ]


def bad_text_cases():
    """(name, body, route, acceptable, must the message name UTF-8?)"""
    def embed(raw_string):
        return b'{"inputs": ["fine", "' + raw_string + b'"]}'
    refused = {"422"}
    return [
        ("byte-ff", embed(b"a\xffb"), "/embed", refused, True),
        ("bad-continuation", embed(b"\xc3\x28"), "/embed", refused, True),
        ("overlong-slash", embed(b"\xc0\xaf"), "/embed", refused, True),
        ("utf8-surrogate", b'{"input": "\xed\xa0\x80"}', "/v1/embeddings", {"400"}, True),
        ("truncated-sequence", b'{"input": ["\xe2\x82"]}', "/v1/embeddings", {"400"}, True),
        ("bad-key", b'{"inp\xffut": "x"}', "/v1/embeddings", {"400"}, True),
        ("raw-nul", embed(b"a\x00b"), "/embed", refused, False),
        ("escaped-nul", embed(b"a\\u0000b"), "/embed", {"200"}, False),  # valid JSON: a text with NUL
        ("escaped-lone-surrogate", embed(b"\\ud800"), "/embed", {"200", "422"}, False),
        ("nul-model", b'{"input": "x", "model": "a\\u0000b"}', "/v1/embeddings", {"404"}, False),
    ]


def huge_batch_cases():
    inputs = [f"input {i}" for i in range(10_000)]
    return [
        ("/embed", json.dumps({"inputs": inputs}).encode(), "422"),
        ("/v1/embeddings", json.dumps({"input": inputs}).encode(), "400"),
        ("/tokenize", json.dumps({"inputs": inputs}).encode(), "422"),
        ("/v1/similarity", json.dumps({"pairs": [[a, a] for a in inputs[:5000]]}).encode(), "400"),
    ]


def deep_json_cases():
    cases = []
    for depth in (100, 10_000, 300_000):  # 300,000 objects: 1.8 MB, under the payload limit
        cases.append((f"arrays-{depth}", b'{"inputs": ' + b"[" * depth + b"]" * depth + b"}", "/embed", {"422"}))
        cases.append((f"objects-{depth}", b'{"input": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}",
                      "/v1/embeddings", {"400"}))
    cases.append(("unclosed-500000", b"[" * 500_000, "/v1/embeddings", {"400"}))
    return cases


async def cycle(ctx, cases, until, handle, rate):
    """Sends each case in turn, `rate` × --rate-scale a second at most (0: as fast as answered),
    until the phase ends."""
    for n in range(MAX_COUNT):
        started = time.monotonic()
        if started > until or ctx.crashed:
            return
        await handle(cases[n % len(cases)])
        if ctx.rate_scale > 0:
            await asyncio.sleep(max(0.0, 1 / (rate * ctx.rate_scale) - (time.monotonic() - started)))
        else:
            await asyncio.sleep(0)


async def attack_over_limits(ctx, until):
    async def handle(case):
        name, raw, acceptable, check = case
        outcome, _, _, body = await exchange(ctx.port, raw)
        problem = check(body) if check and outcome not in ("closed", "reset") else True
        ok = outcome in acceptable and problem is True
        ctx.tally("over-limits").record(outcome, ok, f"{name}: {problem if problem is not True else body[:200]!r}")
    await cycle(ctx, over_limit_cases(ctx.info), until, handle, rate=10)


async def attack_bad_chunked(ctx, until):
    async def handle(case):
        name, raw, acceptable, half_close = case
        outcome, _, _, body = await exchange(ctx.port, raw, half_close=half_close)
        ctx.tally("bad-chunked").record(outcome, outcome in acceptable, f"{name}: {body[:200]!r}")
    await cycle(ctx, malformed_chunked_cases(), until, handle, rate=20)


async def attack_bad_text(ctx, until):
    async def handle(case):
        name, body, route, acceptable, names_utf8 = case
        outcome, _, _, answer = await exchange(ctx.port, request_bytes("POST", route, body))
        ok = outcome in acceptable and (not names_utf8 or "utf-8" in error_message(answer).lower())
        ctx.tally("bad-utf8-nul").record(outcome, ok, f"{name}: {answer[:200]!r}")
    await cycle(ctx, bad_text_cases(), until, handle, rate=10)


async def attack_huge_batch(ctx, until):
    async def handle(case):
        route, body, expected = case
        outcome, _, _, answer = await exchange(ctx.port, request_bytes("POST", route, body))
        ok = outcome == expected and len(answer) < 2000
        ctx.tally("10k-inputs").record(outcome, ok, f"{route}: {answer[:200]!r}")
    await cycle(ctx, huge_batch_cases(), until, handle, rate=4)


async def attack_deep_json(ctx, until):
    async def handle(case):
        name, body, route, acceptable = case
        outcome, _, _, answer = await exchange(ctx.port, request_bytes("POST", route, body))
        ctx.tally("deep-json").record(outcome, outcome in acceptable, f"{name}: {answer[:200]!r}")
    await cycle(ctx, deep_json_cases(), until, handle, rate=8)


async def attack_burst(ctx, until, every=15):
    """256 clients at once, each one text on a new connection; again every `every` seconds."""
    rng = random.Random(256)
    for _ in range(MAX_COUNT):
        if time.monotonic() > until or ctx.crashed:
            return
        started = time.monotonic()

        async def one():
            text = rng.choice(TEXTS)
            outcome, status, _, body = await exchange(ctx.port, request_bytes("POST", "/embed", json.dumps({"inputs": text}).encode()))
            problem = check_vectors(ctx, [text], "/embed", body) if status == 200 else None
            ok = outcome in ("200", "429", "503") and problem is None
            ctx.tally("burst-256").record(outcome if problem is None else "200-wrong", ok, f"{problem or body[:200]!r}")
        await asyncio.gather(*(one() for _ in range(256)))
        await asyncio.sleep(max(0.0, min(every - (time.monotonic() - started), until - time.monotonic())))


async def attack_abandon(ctx, until):
    """Connections opened and left: closed at once, closed after sending a whole request (before
    the answer), closed after half a body; ten of each per second, closed with a FIN or a reset."""
    port = ctx.port
    full = request_bytes("POST", "/v1/embeddings", json.dumps({"input": TEXTS[:4]}).encode())
    half = b"POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inp"
    for n in range(MAX_COUNT):
        if time.monotonic() > until or ctx.crashed:
            return
        kind, raw = [("connect-close", b""), ("request-then-leave", full), ("half-body-then-leave", half)][n % 3]
        try:
            _, writer = await connect(port)
            if raw:
                writer.write(raw)
                await writer.drain()
            close(writer, graceful=n % 2 == 0)  # a FIN or a reset, in turn
            ctx.tally("abandon").record(kind, True)
        except (OSError, asyncio.TimeoutError) as e:
            ctx.tally("abandon").record(type(e).__name__, False, kind)
        await asyncio.sleep(1 / 30)


async def workers(count, make):
    await asyncio.gather(*(make(i) for i in range(count)))


async def run_attacks(ctx, seconds, classes):
    until = time.monotonic() + seconds
    head = b"POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    body_head = (b"POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000\r\n\r\n{\"input\": \"")

    async def loop(body):
        for _ in range(MAX_COUNT):
            if time.monotonic() > until or ctx.crashed:
                return
            await body()

    attacks = {
        "slow-headers": lambda: workers(48, lambda i: loop(lambda: trickle(ctx, "slow-headers", head, b"X-Slow: 1\r\n", {"408"},
                                                                          HEADER_TIMEOUT, until))),
        "slow-body": lambda: workers(24, lambda i: loop(lambda: trickle(ctx, "slow-body", body_head, b"a", {"408"},
                                                                       BODY_TIMEOUT, until))),
        "partial-head": lambda: workers(16, lambda i: loop(lambda: hold_silent(ctx, "partial-head", head, HEADER_TIMEOUT, until))),
        "silent": lambda: workers(32, lambda i: loop(lambda: hold_silent(ctx, "silent", b"", IDLE_TIMEOUT, until))),
        "abandon": lambda: attack_abandon(ctx, until),
        "over-limits": lambda: workers(2, lambda i: attack_over_limits(ctx, until)),
        "bad-chunked": lambda: attack_bad_chunked(ctx, until),
        "bad-utf8-nul": lambda: attack_bad_text(ctx, until),
        "10k-inputs": lambda: attack_huge_batch(ctx, until),
        "deep-json": lambda: attack_deep_json(ctx, until),
        "burst-256": lambda: attack_burst(ctx, until),
    }
    await asyncio.gather(*(make() for name, make in attacks.items() if name in classes), asyncio.sleep(seconds))


# MARK: - The server

def start_server(binary, model, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen([binary, "serve", "--model", model, "--host", HOST, "--port", "0"] + SERVER_FLAGS,
                            stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        with open(log_path, errors="replace") as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not start:\n" + open(log_path, errors="replace").read()[-3000:])


def process_sample(pid):
    """VmRSS (KiB), VmHWM (KiB), threads and open descriptors of `pid`, or None once it is gone."""
    try:
        status = open(f"/proc/{pid}/status").read()
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    field = lambda name: int(re.search(rf"^{name}:\s+(\d+)", status, re.M).group(1))
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    load = float(open("/proc/loadavg").read().split()[0])
    busy = sum(int(x) for i, x in enumerate(open("/proc/stat").readline().split()[1:]) if i not in (3, 4))
    client = sum(os.times()[:2])
    return {"rss_kib": field("VmRSS"), "hwm_kib": field("VmHWM"), "threads": field("Threads"), "fds": fds,
            "cpu_s": cpu, "load1": load, "machine_cpu_s": busy / os.sysconf("SC_CLK_TCK"), "client_cpu_s": client}


async def watch(ctx, proc, samples):
    """Samples the server every 2 s; notes a crash as soon as the process is gone."""
    while True:  # until cancelled at the end
        if proc.poll() is not None:
            ctx.crashed = f"the server exited with {proc.returncode} during {ctx.phase}"
            return
        s = process_sample(proc.pid)
        if s:
            s.update(t=time.monotonic(), phase=ctx.phase)
            samples.append(s)
        await asyncio.sleep(2)


def reference_vectors(binary, model, directory):
    """`mirror-bert encode --normalize` of TEXTS, as the server embeds them (fp32)."""
    src, out = os.path.join(directory, "texts.txt"), os.path.join(directory, "reference.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.write("\n".join(TEXTS) + "\n")
    subprocess.run([binary, "encode", "--model", model, "--input", src, "--output", out, "--normalize",
                    "--precision", "fp32"], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) == len(TEXTS), f"encode wrote {len(rows)} rows for {len(TEXTS)} texts"
    return dict(zip(TEXTS, rows))


async def get_json(port, path):
    outcome, status, _, body = await exchange(port, request_bytes("GET", path), timeout=10)
    return json.loads(body) if status == 200 else None


# MARK: - The run

async def soak(args, proc, port, reference):
    info = await get_json(port, "/info")
    ctx = Context(port, reference, info)
    ctx.rate_scale = args.rate_scale
    samples = []
    watcher = asyncio.create_task(watch(ctx, proc, samples))
    clients = [asyncio.create_task(well_behaved(ctx, i)) for i in range(WELL_BEHAVED_CLIENTS)]
    timeline = {}

    def mark(phase):
        ctx.phase = phase
        timeline[phase] = time.monotonic()
        print(f"[{time.strftime('%H:%M:%S')}] {phase}", flush=True)

    mark("warm-up")
    await run_attacks(ctx, args.warmup, args.classes)
    mark("calm")
    await asyncio.sleep(args.calm)
    warm = process_sample(proc.pid)
    mark("attack")
    await run_attacks(ctx, args.seconds, args.classes)
    mark("cool-down")
    # The server closes what the attack left open within its deadlines; wait for its descriptors,
    # then take the end's RSS as the warm-up's was taken: with the well-behaved clients running.
    deadline = time.monotonic() + IDLE_TIMEOUT + 15
    while time.monotonic() < deadline and not ctx.crashed:
        s = process_sample(proc.pid)
        if s is None or (warm and s["fds"] <= warm["fds"] + 2):
            break
        await asyncio.sleep(1)
    await asyncio.sleep(2)
    end = process_sample(proc.pid)
    ctx.stop_well_behaved = True
    await asyncio.gather(*clients)
    health = await get_json(port, "/health") if not ctx.crashed else None
    metrics = None
    if not ctx.crashed:
        _, _, _, body = await exchange(port, request_bytes("GET", "/metrics"), timeout=10)
        metrics = body.decode(errors="replace")
    ctx.phase = "done"
    watcher.cancel()
    return ctx, samples, warm, end, health, metrics, timeline


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def report(args, ctx, samples, warm, end, health, metrics, exit_code, log_path, timeline):
    checks = []
    lines = []
    out = lambda s="": lines.append(s)
    out(f"soak: warm-up {args.warmup:g} s, calm {args.calm:g} s, attack {args.seconds:g} s; server flags: {' '.join(SERVER_FLAGS)}")
    if set(ATTACKS) - args.classes:
        out(f"attack classes: {', '.join(a for a in ATTACKS if a in args.classes)} only")
    out()
    out(f"{'phase':<10} {'class':<16} {'sent':>8}  outcomes")
    classes = ["well-behaved"] + ATTACKS
    for phase in ("warm-up", "calm", "attack", "cool-down"):
        for name in classes:
            t = ctx.tallies.get((phase, name))
            if not t:
                continue
            outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(t.outcomes.items(), key=lambda kv: -kv[1]))
            held = f"  (held {percentile(t.held, 50):.1f} s median, {max(t.held):.1f} s max)" if t.held else ""
            out(f"{phase:<10} {name:<16} {t.sent:>8}  {outcomes}{held}")
    out()

    # Well-behaved: every answer 200 with the right vectors, in every phase.
    wb = [t for (phase, name), t in ctx.tallies.items() if name == "well-behaved"]
    total = sum(t.sent for t in wb)
    good = sum(t.outcomes["200"] for t in wb)
    calm, attack = ctx.tally("well-behaved", "calm"), ctx.tally("well-behaved", "attack")
    out(f"well-behaved: {good}/{total} answered 200 with vectors within {TOLERANCE:g} of encode's "
        f"({100 * good / max(total, 1):.3f}%)")
    for name, t in (("calm", calm), ("attack", attack)):
        out(f"  {name:<7} {t.sent:>6} requests  p50 {1000 * percentile(t.latency, 50):7.1f} ms  "
            f"p99 {1000 * percentile(t.latency, 99):7.1f} ms  max {1000 * max(t.latency or [float('nan')]):7.1f} ms")
    for t in wb:
        for e in t.examples:
            out(f"  wrong: {e}")
    checks.append(("well-behaved 100% correct", total > 0 and good == total))
    out(f"client connections open at once: {Connections.most} at most (--max-connections 1024)")

    # Memory.
    if warm and end:
        growth = end["rss_kib"] / warm["rss_kib"] - 1
        peak = max((s["rss_kib"] for s in samples), default=0)
        out(f"server RSS after warm-up {warm['rss_kib'] / 1024:.1f} MiB, at the end {end['rss_kib'] / 1024:.1f} MiB "
            f"({100 * growth:+.1f}%); peak sampled {peak / 1024:.1f} MiB, VmHWM {end['hwm_kib'] / 1024:.1f} MiB")
        out(f"server threads {warm['threads']} -> {end['threads']}, open descriptors {warm['fds']} -> {end['fds']}")
        attack_samples = [s for s in samples if s["phase"] == "attack"]
        if attack_samples:
            third = max(1, len(attack_samples) // 3)
            firsts, lasts = attack_samples[:third], attack_samples[-third:]
            mean = lambda xs: sum(s["rss_kib"] for s in xs) / len(xs) / 1024
            out(f"RSS during the attack: first third mean {mean(firsts):.1f} MiB, last third mean {mean(lasts):.1f} MiB; "
                f"descriptors max {max(s['fds'] for s in attack_samples)}")
        step = max(1, len(samples) // 24)
        out("RSS over the run (MiB, every ~{:.0f} s): ".format(2 * step)
            + " ".join(f"{s['rss_kib'] / 1024:.0f}{'' if i == 0 or samples[(i - 1) * step]['phase'] == s['phase'] else '|'}"
                       for i, s in enumerate(samples[::step])))
        checks.append(("RSS growth <= 10%", growth <= 0.10))
    else:
        checks.append(("RSS growth <= 10%", False))

    # What else ran: the machine has 2 cores, shared by the server, this client and anything else.
    for phase in ("calm", "attack"):
        ps = [s for s in samples if s["phase"] == phase]
        if len(ps) >= 2:
            seconds = max(ps[-1]["t"] - ps[0]["t"], 1e-9)
            cores = lambda key: (ps[-1][key] - ps[0][key]) / seconds
            others = cores("machine_cpu_s") - cores("cpu_s") - cores("client_cpu_s")
            out(f"{phase}: CPU in cores (of {os.cpu_count()}): server {cores('cpu_s'):.2f}, soak client "
                f"{cores('client_cpu_s'):.2f}, other processes {max(0.0, others):.2f}; load average (1 min) "
                f"{sum(s['load1'] for s in ps) / len(ps):.1f} mean")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out(f"soak client CPU {usage.ru_utime + usage.ru_stime:.0f} s over the run")

    # The server's own view.
    if health:
        out(f"/health at the end: requests_in_flight {health.get('requests_in_flight')}, queued_texts "
            f"{health.get('queued_texts')}, embedded_texts {health.get('embedded_texts')}, batches {health.get('batches')}")
    if metrics:
        for line in metrics.splitlines():
            if line.startswith("mirror_bert_request_timeouts_total"):
                out(f"  {line}")
        statuses = Counter()
        for line in metrics.splitlines():
            m = re.match(r'mirror_bert_http_requests_total\{.*status="(\d+)".*\} (\d+)', line)
            if m:
                statuses[m.group(1)] += int(float(m.group(2)))
        out("  answers by status (server's count): " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    with open(log_path, errors="replace") as f:
        fatal = [line.strip() for line in f if re.search(r"Fatal error|Crash|Segmentation|Illegal instruction", line)]
    out(f"crashes: {0 if not ctx.crashed and not fatal and exit_code == 0 else 1} "
        f"({ctx.crashed or 'alive throughout'}; exit code on SIGTERM {exit_code}"
        f"{'; ' + fatal[0] if fatal else ''})")
    checks.append(("zero crashes (alive throughout, exit 0 on SIGTERM)", not ctx.crashed and not fatal and exit_code == 0))

    # The attacks were answered as they should be.
    unexpected = [(phase, name, t) for (phase, name), t in ctx.tallies.items() if name != "well-behaved" and t.unexpected]
    for phase, name, t in unexpected:
        out(f"unexpected ({phase}, {name}): {dict(t.unexpected)}")
        for e in t.examples:
            out(f"  {e}")
    checks.append(("attacks answered as expected (no 5xx, no deadline missed, no long echo)", not unexpected))

    out()
    for name, ok in checks:
        out(f"{'PASS' if ok else 'FAIL'}  {name}")
    print("\n".join(lines), flush=True)
    with open(os.path.join(os.path.dirname(log_path), "summary.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return all(ok for _, ok in checks)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", required=True, help="the mirror-bert executable (a release build)")
    p.add_argument("--model", default="models/all-MiniLM-L6-v2")
    p.add_argument("--seconds", type=float, default=600, help="length of the attack phase")
    p.add_argument("--warmup", type=float, default=60)
    p.add_argument("--calm", type=float, default=60)
    p.add_argument("--classes", default=",".join(ATTACKS),
                   help="attack classes to run, comma-separated (default: all; fewer to find what a problem comes from)")
    p.add_argument("--rate-scale", type=float, default=1.0,
                   help="multiplies the request rates of the paced attack classes (0: unpaced, a flood)")
    p.add_argument("--out", help="folder for the server's log and the reference vectors (default: a temporary one)")
    args = p.parse_args()
    args.classes = set(args.classes.split(","))
    if args.classes - set(ATTACKS):
        p.error(f"unknown classes {sorted(args.classes - set(ATTACKS))}; known: {', '.join(ATTACKS)}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it too
    directory = args.out or tempfile.mkdtemp(prefix="soak-")
    os.makedirs(directory, exist_ok=True)
    log_path = os.path.join(directory, "server.log")
    reference = reference_vectors(args.bin, args.model, directory)
    proc, port = start_server(args.bin, args.model, log_path)
    print(f"server pid {proc.pid} on {HOST}:{port}; log {log_path}", flush=True)
    # A hard bound on the whole run, whatever hangs.
    signal.signal(signal.SIGALRM, lambda *_: (proc.kill(), os._exit(3)))
    signal.alarm(int(args.warmup + args.calm + args.seconds + IDLE_TIMEOUT + 300))
    try:
        ctx, samples, warm, end, health, metrics, timeline = asyncio.run(soak(args, proc, port, reference))
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    try:
        exit_code = proc.wait(timeout=70)
    except subprocess.TimeoutExpired:
        proc.kill()
        exit_code = "none: killed after 70 s"
    signal.alarm(0)
    ok = report(args, ctx, samples, warm, end, health, metrics, exit_code, log_path, timeline)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
