#!/usr/bin/env python3
"""Records the tokenizer fixtures under Tests/Fixtures/tokenizers/ (development tool only).

Pinned: tokenizers==0.23.3, transformers==5.24.0 (see requirements.txt); the script refuses other
versions because the fixtures are the reference the Swift Tokenizers module must match id for id.

Writes:
  minilm_parity.json    ~hand-written edge cases + real lines sampled deterministically from
                        ../shared/data, encoded by models/all-MiniLM-L6-v2/tokenizer.json with
                        `tokenizers` (no truncation, and truncated to 2, 3, 8, 50), and by
                        transformers' AutoTokenizer(use_fast=True) from a copy of the folder
                        without tokenizer.json (vocab.txt fallback; stored only where it differs).
  unicode_classes.json  per-code-point behaviour of BertNormalizer / BertPreTokenizer / NFD,
                        probed for all 1,112,064 scalars, and the `\w` class of single_word added tokens.
  tiny-cased/tokenizer.json, tiny-uncased/tokenizer.json
                        tiny WordPiece tokenizers built here to cover other config branches
                        (cased + strip accents + no CJK splitting + BertProcessing + added tokens
                        with lstrip/rstrip/single_word/normalized; uncased + keep accents + no
                        text cleaning + TemplateProcessing), with tiny_parity.json.
  tiny-vocab/           vocab.txt + tokenizer_config.json + special_tokens_map.json (cased,
                        strip accents, no CJK splitting, an object-valued mask_token with lstrip,
                        an extra special token), recorded through transformers in tiny_parity.json.

usage: /work/venv-ref/bin/python Scripts/reference/record_tokenizer_fixtures.py
       [--model models/all-MiniLM-L6-v2] [--data ../shared/data]
       [--stress N --stress-out /tmp/stress.json [--stress-model FOLDER]]   (N random strings instead,
        not committed; check with TOKENIZERS_STRESS=/tmp/stress.json [TOKENIZERS_STRESS_MODEL=FOLDER]
        swift test --filter StressParity)
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import unicodedata

import tokenizers
import transformers
from tokenizers import Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import WordPiece
from transformers import AutoTokenizer

PINNED = {"tokenizers": "0.23.3", "transformers": "5.24.0"}
MAX_LENGTHS = [2, 3, 8, 50]
SEED = 20240601

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")


# MARK: - Hand-written edge cases

def edge_cases():
    cases = [
        # empty and whitespace
        "", " ", "   ", "\t\n\r", "\u00a0", "\u3000", "\u2028\u2029", "\u0085", "\x0b\x0c", "\x1c\x1d\x1e\x1f",
        "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a", "a\u202fb\u205fc\u1680d",
        "  leading and trailing  ", "tab\tseparated\tvalues", "line\nbreak", "cr\r\nlf", "many     spaces",
        # plain English and punctuation
        "Hello, world!", "HELLO WORLD", "hello world", "don't", "I'm", "U.S.A.", "e-mail", "state-of-the-art",
        "The quick brown fox jumps over the lazy dog.", "What?!?", "Wait... what", "(parenthesised)",
        "\u201cquoted\u201d", "\u2018single\u2019", "\u00abguillemets\u00bb", "em\u2014dash en\u2013dash", "\u2026",
        "\u2022bullet", "\u00a73 \u00b6", "\u2020\u2021", "\u00bfQu\u00e9?", "\u00a1Hola!", "\\", "'", '"', "^_^",
        "a|b", "`code`", "$HOME", "#hashtag @mention", "\u2e2e", "\u203b", "\u2042", "\u2030", "\u2032\u2033",
        "\u00b0", "\u00b7", "\ua673",
        # accents and combining marks
        "caf\u00e9", "cafe\u0301", "na\u00efve", "Cr\u00e8me br\u00fbl\u00e9e", "\u00c5ngstr\u00f6m", "\u212b",
        "\u2126 \u212a", "\u00d8resund", "\u00df stra\u00dfe", "\u0130stanbul", "\u01c5emal \u01c4 \u01c6",
        "\ufb01anc\u00e9 \ufb00 \ufb03", "\u0386\u0388\u0389", "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac",
        "\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3", "\u1f48\u03b4\u03c5\u03c3\u03c3\u03b5\u03cd\u03c2",
        "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u", "Z\u00fcrich", "a\u0301\u0327", "q\u0307\u0323", "e\u0323\u0302",
        "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",
        "\u0928\u092e\u0938\u094d\u0924\u0947", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
        "\u09ac\u09be\u0982\u09b2\u09be", "\u0ba4\u0bae\u0bbf\u0bb4\u0bcd", "\u1781\u17d2\u1798\u17c2\u179a",
        "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", "\u0401\u043b\u043a\u0430 \u0439\u043e\u0434",
        "\u0141\u00f3d\u017a Gda\u0144sk", "\u017dlu\u0165ou\u010dk\u00fd k\u016f\u0148", "T\u00f5nu \u00d5un",
        "\u011e\u00fc\u015f\u00e7\u00f6", "\u0332underline\u0332", "\u0301leading combining mark",
        "a\u20dd enclosing", "x\u0489y", "a" + "\u0301\u0316" * 20 + "b", "o" + "\u0334\u0301\u0327\u0308\u031b" * 8,
        "Z\u0337\u0322\u031ba\u0336l\u0337g\u0335o\u0338 text", "\u1e0b\u0323 \u1e0d\u0307 d\u0323\u0307 d\u0307\u0323",
        # CJK, Japanese, Korean
        "\u4f60\u597d\u4e16\u754c", "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8",
        "\u30ab\u30bf\u30ab\u30ca", "\u3072\u3089\u304c\u306a", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8",
        "\uc548\ub155\ud558\uc138\uc694", "\u4e2d\u6587English\u6df7\u5408", "\U00020000\U00020001", "\u3400",
        "\U0002a700 \U0002b740 \U0002b920 \U0002ceaf \U0002ceb0", "\U0002f800\U0002fa1f\U0002fa20", "\uf900\ufaff",
        "\u3007\u3005", "\uff76\uff80\uff76\uff85", "\uff21\uff22\uff23", "\uff01\uff1f", "\u3002\u3001\u300c\u300d",
        "\u9fff\u9ffe\u4dbf\u4dc0", "\u1100\u1161\u11a8",
        # emoji
        "\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
        "\U0001f1eb\U0001f1f7\U0001f1fa\U0001f1f8", "\u2764\ufe0f", "\U0001f3f3\ufe0f\u200d\U0001f308", "1\ufe0f\u20e3",
        "I \u2764 NY", "\U0001f916 robots \U0001f916", "\U0001fae8 new emoji", "\U0001f9d1\u200d\U0001f4bb coding",
        # controls, zero-width, format, private use, unassigned
        "a\u200bb", "a\u200db", "a\u200cb", "\ufeffhello", "soft\u00adhyphen", "x\u2060y", "\u202eRTL override",
        "a\u0000b", "a\ufffdb", "bell\u0007", "del\u007f", "\u061c arabic letter mark", "\u180e mongolian",
        "\u2066isolate\u2069", "\ue000private", "\U000f0000 plane 15", "\u0378 unassigned", "\ufdd0\uffff",
        "\U000e0001\U000e0041 tags", "\u00ad", "\u200b", "\ufeff",
        # code points whose category changed after Unicode 8.0 (HF uses 8.0 tables)
        "a\u166db", "a\U000111c9b", "a\u1734b", "a\u1885b", "a\ua9bdb", "a\U0001171eb", "a\u2e43b", "a\u061db",
        "a\u0890b", "a\U00013430b", "a\u08e2b", "a\u1bcab",
        # NFD with code points newer than Unicode 9.0
        "x\u1ac1\U0001d165y", "e\u0301\u1ac1", "\U00011938", "\U00011935\U00011930", "a\u0334\u1ac1",
        # RTL
        "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
        "\u0627\u0644\u0639\u0631\u0628\u064a\u0629: \u0661\u0662\u0663\u0664", "Hello \u0645\u0631\u062d\u0628\u0627 123",
        # mathematics and symbols
        "\u2211_{i=1}^n x_i\u00b2 \u2264 \u221e", "\u2200x\u2208\u211d: x\u00b2 \u2265 0",
        "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522", "\U0001d401\U0001d428\U0001d425\U0001d41d",
        "\u00bd \u00bc \u00be", "x\u2081 + x\u2082", "\u2260\u2248\u2261", "\u221a2 \u2248 1.414", "\u00b15%", "3\u00d74\u00f72",
        "\u2103 \u2109", "\u2116 5", "\u2122 \u00ae \u00a9", "\u20ac100 \u00a350 \u00a51000 $5 \u20bf", "\u216b \u24d0\u24d1 \u24c2",
        # long words and many pieces
        "a" * 100, "a" * 101, "x" * 150, "ab" * 60, "\u00e9" * 100, "\u00e9" * 101, "e\u0301" * 60,
        "supercalifragilisticexpialidocious" * 3, "pneumonoultramicroscopicsilicovolcanoconiosis",
        "Donaudampfschifffahrtsgesellschaftskapit\u00e4n", "antidisestablishmentarianism", "unbelievableness",
        "hyperparameterization", "tokenization", "Mirror-BERT", "xyzzyqwerty", "zzzzzzzzzz", "qxjqxjqxj",
        # numbers
        "3.14159", "1,000,000", "2024-01-01", "12:30pm", "+1 (555) 123-4567", "0x1F600", "1e-5",
        "\u0661\u0662\u0663", "\u4e00\u4e8c\u4e09", "\u00b2\u00b3\u00b9", "\u2460\u2461",
        # URLs and code
        "https://example.com/path?q=1&r=2#frag", "user@example.com", "def f(x): return x**2",
        "for (int i = 0; i < n; i++) { a[i] = b[i]; }", '<div class="x">', "SELECT * FROM t WHERE a='b';",
        "C:\\Windows\\System32", "~/.bashrc", "snake_case_name", "camelCaseName", "{\"json\": [1, 2]}",
        # special tokens inside text
        "[MASK]", "hello [MASK] world", "hello[MASK]world", "[mask]", "[Mask]", "[MASK][MASK]", "[CLS] text [SEP]",
        "[PAD]", "[UNK]", "[ MASK ]", "[MASK", "MASK]", "[[MASK]]", " [MASK] ", "[MASK]\u0301", "a[SEP]b[CLS]c",
        "[unused0]", "[MASK].", "The capital of France is [MASK].", "\uff3bMASK\uff3d", "[MA\u200bSK]",
        # truncation
        "The quick brown fox jumps over the lazy dog. " * 10,
        "one two three four five six seven eight nine ten eleven twelve",
    ]
    return cases


# MARK: - Real lines sampled from the shared data

def sampled_lines(data):
    rng = random.Random(SEED)
    picks = []

    def take_lines(path, n, column=None):
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        lines = [l for l in lines if l != ""]
        if column is not None:
            lines = [l.split("\t")[c] for l in lines for c in column]
        for line in rng.sample(lines, min(n, len(lines))):
            picks.append(line)

    train = os.path.join(data, "train")
    take_lines(os.path.join(train, "stsbenchmark_train_10k_sents_random_sampled.txt"), 40)
    take_lines(os.path.join(train, "arabic_wikimatrix_10k_sents_random_sampled.txt"), 25)
    take_lines(os.path.join(train, "russian_wikimatrix_10k_sents_random_sampled.txt"), 25)
    for lang, n in [("zh", 15), ("fr", 10), ("pl", 10), ("et", 10), ("ru", 8), ("ar", 8), ("en", 6)]:
        take_lines(os.path.join(train, f"{lang}_words_top_10k.txt"), n)
    ev = os.path.join(data, "eval")
    for lang in ["cmn", "ara", "rus", "est", "pol", "fra", "heb", "yue"]:
        take_lines(os.path.join(ev, "multisimlex", f"{lang}.tsv"), 5, column=[1, 2])
    take_lines(os.path.join(ev, "sts12", "test.tsv"), 8, column=[1, 2])
    take_lines(os.path.join(ev, "sickr", "test.tsv"), 6, column=[1, 2])
    take_lines(os.path.join(ev, "stsb", "test.tsv"), 6, column=[1, 2])
    take_lines(os.path.join(ev, "qnli", "dev.first1000.tsv"), 8, column=[1, 2])
    return picks


# MARK: - Recording

def encode_all(tok, texts, max_lengths, keep_type_ids=False):
    """ids/tokens without truncation, then ids per max length, with `tokenizers` directly.
    Type ids are stored if `keep_type_ids`, else checked to be all 0."""
    tok.no_padding()
    tok.no_truncation()
    records = []
    for text in texts:
        e = tok.encode(text)
        records.append({"text": text, "ids": e.ids, "tokens": e.tokens, "type_ids": e.type_ids})
    for m in max_lengths:
        tok.enable_truncation(m)
        for r in records:
            r.setdefault("truncated", {})[str(m)] = tok.encode(r["text"]).ids
    tok.no_truncation()
    if not keep_type_ids:
        for r in records:
            assert all(t == 0 for t in r["type_ids"]), r["text"]
            del r["type_ids"]
    return records


def transformers_ids(folder, texts, max_lengths):
    """input_ids from AutoTokenizer(use_fast=True), untruncated and per max length."""
    hf = AutoTokenizer.from_pretrained(folder, use_fast=True)
    out = []
    for text in texts:
        row = {"ids": hf(text)["input_ids"], "truncated": {}}
        for m in max_lengths:
            row["truncated"][str(m)] = hf(text, truncation=True, max_length=m)["input_ids"]
        out.append(row)
    return out


def attach_fallback(records, fallback):
    """Stores transformers' ids only where they differ; returns how many were equal."""
    equal = 0
    for r, f in zip(records, fallback):
        same = f["ids"] == r["ids"] and all(f["truncated"][k] == r["truncated"][k] for k in r["truncated"])
        if same:
            equal += 1
        else:
            r["fallback"] = f
    return equal


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=True, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def record_minilm(model, data):
    texts = edge_cases() + sampled_lines(data)
    tok = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
    records = encode_all(tok, texts, MAX_LENGTHS)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]:
            shutil.copy(os.path.join(model, name), tmp)
        fallback = transformers_ids(tmp, texts, MAX_LENGTHS)
    equal = attach_fallback(records, fallback)
    print(f"minilm: {len(records)} strings; transformers vocab.txt fallback equal on {equal}")
    write_json(os.path.join(OUT, "minilm_parity.json"), {
        "source": "models/all-MiniLM-L6-v2/tokenizer.json",
        "tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
        "max_lengths": MAX_LENGTHS, "fallback_equal": equal, "cases": records})


# MARK: - Per-code-point tables

def ranges(codes):
    out = []
    for c in sorted(codes):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def record_unicode_classes():
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    chinese = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    lower = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    nfd = normalizers.NFD()
    pre = pre_tokenizers.BertPreTokenizer()
    removed, to_space, cjk, whitespace, punctuation, marks = [], [], [], [], [], []
    lowercase, decomposition = {}, {}
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        r = clean.normalize_str(ch)
        if r == "":
            removed.append(c)
        elif r == " " and ch != " ":
            to_space.append(c)
        if chinese.normalize_str(ch) == f" {ch} ":
            cjk.append(c)
        low = lower.normalize_str(ch)
        if low != ch:
            lowercase[c] = low
        d = nfd.normalize_str(ch)
        hangul = 0xAC00 <= c <= 0xD7A3
        if d != ch and not hangul:
            decomposition[c] = d
        if strip.normalize_str(ch) == "":
            marks.append(c)
        words = pre.pre_tokenize_str(f"a{ch}a")
        if len(words) == 2:
            whitespace.append(c)
        elif len(words) == 3:
            punctuation.append(c)
    # The `\w` of single_word added tokens: a character is a word character iff a single_word
    # token right after it is not matched.
    from tokenizers import AddedToken
    from tokenizers.models import WordLevel
    probe = Tokenizer(WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    probe.add_tokens([AddedToken("\u2603", single_word=True, normalized=False)])
    snowman = probe.token_to_id("\u2603")
    word = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c != 0x2603
            and snowman not in probe.encode(chr(c) + "\u2603").ids]
    # Hangul syllables decompose algorithmically; checked here instead of stored.
    for c in range(0xAC00, 0xD7A4):
        s = c - 0xAC00
        expect = chr(0x1100 + s // 588) + chr(0x1161 + (s % 588) // 28) + (chr(0x11A7 + s % 28) if s % 28 else "")
        assert nfd.normalize_str(chr(c)) == expect, hex(c)
    write_json(os.path.join(OUT, "unicode_classes.json"), {
        "tokenizers": tokenizers.__version__,
        "note": "ranges are inclusive [first, last] code points; decomposition omits Hangul syllables (algorithmic)",
        "clean_removed": ranges(removed), "clean_to_space": ranges(to_space), "chinese": ranges(cjk),
        "pretokenizer_whitespace": ranges(whitespace), "pretokenizer_punctuation": ranges(punctuation),
        "strip_removed": ranges(marks), "word_characters": ranges(word),
        "lowercase": {str(k): v for k, v in sorted(lowercase.items())},
        "nfd": {str(k): v for k, v in sorted(decomposition.items())}})


# MARK: - Tiny tokenizers

def tiny_texts():
    return [
        "", "Hello World", "hello world", "HELLO", "Caf\u00e9 au lait", "Cafe\u0301", "na\u00efve \u00c5ngstr\u00f6m",
        "\u4f60\u597d\u4e16\u754c", "\u4e2d\u6587English", "tab\there", "a\u0000b\u0007c", "a\u200bb\ufeffc",
        "\u00a0nbsp\u3000ideographic", "line\u2028separator", "<e>", "x <e> y", "x<e>y", "x  <e>  y", "<e><e>",
        "foo", "foo bar", "foobar", "a foo_b", "(foo)", "\u00e9foo", "foo\u0301", "xfoo", "\u1acffoo", "foo\u1acf",
        "\u1ac0foo", "1foo", "foo\u200d", "\u0661foo", "Caf\u00e9", "CAF\u00c9",
        "my Caf\u00e9 is a Cafe", "cafe", "[MASK]", "a [MASK] b", "a[MASK]b", "[mask]", "[CLS] [SEP] [PAD] [UNK]",
        "\u00dcber \u00e4rger", "\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2", "\u0130stanbul", "stra\u00dfe",
        "supercalifragilistic", "abcdefghijklmnop", "reading readings reader", "The quick brown fox.",
        "\u0645\u0631\u062d\u0628\u0627", "\u041f\u0440\u0438\u0432\u0435\u0442", "\U0001f600 smile", "x" * 13, "x" * 12,
        "Tokenizers are fun, aren't they?", "unbelievable", "\u2163 \u2167",
    ]


def build_tiny(data, lowercase, strip_accents, chinese, clean):
    """A WordPiece built deterministically (the trainer breaks ties differently run to run):
    special tokens, every character seen and its "@@" continuation, the most frequent words,
    and a few suffixes; prefix "@@", max_input_chars_per_word 12."""
    normalizer = normalizers.BertNormalizer(clean_text=clean, handle_chinese_chars=chinese,
                                            strip_accents=strip_accents, lowercase=lowercase)
    pre = pre_tokenizers.BertPreTokenizer()
    with open(os.path.join(data, "train", "stsbenchmark_train_10k_sents_random_sampled.txt"), encoding="utf-8") as f:
        corpus = f.read().split("\n")[:400]
    corpus.append("Caf\u00e9 na\u00efve \u00c5ngstr\u00f6m \u00dcber \u4f60\u597d\u4e16\u754c \u4e2d\u6587 \u041f\u0440\u0438\u0432\u0435\u0442")
    counts = {}
    for line in corpus:
        for word, _ in pre.pre_tokenize_str(normalizer.normalize_str(line)):
            counts[word] = counts.get(word, 0) + 1
    chars = sorted({c for w in counts for c in w})
    words = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if len(w) > 1][:120]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["@@" + c for c in chars] + words
    vocab += ["@@s", "@@ed", "@@ing", "@@er", "@@ly", "@@ar", "@@es", "@@able", "read", "fun"]
    vocab = list(dict.fromkeys(vocab))
    tok = Tokenizer(WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]",
                              continuing_subword_prefix="@@", max_input_chars_per_word=12))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    return tok


def record_tiny(data):
    from tokenizers import AddedToken
    cased = build_tiny(data, lowercase=False, strip_accents=True, chinese=False, clean=True)
    cls, sep = cased.token_to_id("[CLS]"), cased.token_to_id("[SEP]")
    cased.post_processor = processors.BertProcessing(("[SEP]", sep), ("[CLS]", cls))
    cased.add_tokens([
        AddedToken("<e>", lstrip=True, rstrip=True, normalized=False),
        AddedToken("foo", single_word=True, normalized=False),
        AddedToken("Caf\u00e9", normalized=True),
    ])

    uncased = build_tiny(data, lowercase=True, strip_accents=False, chinese=True, clean=False)
    cls, sep = uncased.token_to_id("[CLS]"), uncased.token_to_id("[SEP]")
    uncased.post_processor = processors.TemplateProcessing(
        single="[CLS]:1 $A:0 [SEP]:1", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    uncased.add_special_tokens([AddedToken("[MASK]", normalized=False)])

    result = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
              "max_lengths": MAX_LENGTHS, "sets": {}}
    texts = tiny_texts()
    for name, tok in [("tiny-cased", cased), ("tiny-uncased", uncased)]:
        path = os.path.join(OUT, name, "tokenizer.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tok.save(path)
        print(f"wrote {os.path.relpath(path, ROOT)}")
        result["sets"][name] = encode_all(Tokenizer.from_file(path), texts, MAX_LENGTHS, keep_type_ids=True)

    # vocab.txt fallback with non-default options, recorded through transformers.
    folder = os.path.join(OUT, "tiny-vocab")
    os.makedirs(folder, exist_ok=True)
    vocab = cased.get_vocab(with_added_tokens=False)
    with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
        for token, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
            f.write(token.replace("@@", "##", 1) if token.startswith("@@") else token)
            f.write("\n")
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "BertTokenizer", "do_lower_case": False, "strip_accents": True,
                   "tokenize_chinese_chars": False, "model_max_length": 64,
                   "unk_token": "[UNK]", "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}, f, indent=2)
    with open(os.path.join(folder, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({"mask_token": {"content": "[MASK]", "lstrip": True, "rstrip": False, "single_word": False,
                                  "normalized": False},
                   "additional_special_tokens": ["<e>"]}, f, indent=2)
    rows = transformers_ids(folder, texts, MAX_LENGTHS)
    result["sets"]["tiny-vocab"] = [{"text": t, "ids": r["ids"], "truncated": r["truncated"]}
                                    for t, r in zip(texts, rows)]
    write_json(os.path.join(OUT, "tiny_parity.json"), result)


# MARK: - Random stress strings (not committed)

def stress_strings(n, seed):
    rng = random.Random(seed)
    pools = [
        lambda: rng.choice(["hello", "World", "tokenization", "[MASK]", "[mask]", "[CLS]", "[SEP]", "[PAD]", "[UNK]",
                            "don't", "e-mail", "3.14", "https://x.org/a?b=c", "caf\u00e9", "na\u00efve", "\u0130",
                            "<e>", "foo", "Caf\u00e9", "Cafe\u0301", "foo_", "_foo"]),
        lambda: rng.choice([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u200b", "\u200d", "\ufeff",
                            "\u00ad", "\x00", "\ufffd", "\x7f", "\x0b", "\u0085", "\u202f"]),
        lambda: chr(rng.randrange(0x21, 0x7F)),
        lambda: chr(rng.randrange(0xA0, 0x3000)),
        lambda: chr(rng.randrange(0x3000, 0xA000)),
        lambda: chr(rng.randrange(0xAC00, 0xD7A4)),
        lambda: chr(rng.choice([rng.randrange(0x300, 0x370), rng.randrange(0x1AB0, 0x1B00), rng.randrange(0x1DC0, 0x1E00),
                                rng.randrange(0x20D0, 0x2100), rng.randrange(0xFE20, 0xFE30)])),
        lambda: chr(rng.randrange(0x1F300, 0x1FB00)),
        lambda: chr(rng.choice([rng.randrange(0x10000, 0x30000), rng.randrange(0xE0000, 0xE0080), rng.randrange(0xF0000, 0xF0100)])),
        lambda: chr(rng.randrange(0xD800)) if rng.random() < 0.5 else chr(rng.randrange(0xE000, 0x110000)),
        lambda: "".join(chr(rng.randrange(0x61, 0x7B)) for _ in range(rng.randrange(1, 14))),
        lambda: rng.choice(["\u0410\u0411\u0412\u0439\u0451", "\u0627\u0644\u0639\u064e\u0631\u064e\u0628",
                            "\u4f60\u597d", "\u3072\u3089\u304c\u306a", "\u30ab\u30bf", "\u0928\u092e\u0938\u094d"]),
    ]
    out = []
    for _ in range(n):
        k = rng.randrange(0, 25)
        out.append("".join(rng.choice(pools)() for _ in range(k)))
    return out


def record_stress(model, n, path):
    texts = stress_strings(n, SEED)
    tok = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
    records = encode_all(tok, texts, MAX_LENGTHS, keep_type_ids=True)
    equal = 0
    if os.path.exists(os.path.join(model, "vocab.txt")):
        with tempfile.TemporaryDirectory() as tmp:
            for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]:
                shutil.copy(os.path.join(model, name), tmp)
            equal = attach_fallback(records, transformers_ids(tmp, texts, MAX_LENGTHS))
    print(f"stress: {len(records)} strings; transformers fallback equal on {equal}")
    write_json(path, {"max_lengths": MAX_LENGTHS, "fallback_equal": equal, "cases": records})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    parser.add_argument("--data", default=os.environ.get("MIRROR_BERT_DATA") or os.path.join(os.path.dirname(ROOT), "shared", "data"))
    parser.add_argument("--stress", type=int, default=0)
    parser.add_argument("--stress-out", default="/tmp/tokenizer_stress.json")
    parser.add_argument("--stress-model", help="folder with tokenizer.json (default: --model)")
    args = parser.parse_args()
    for name, module in [("tokenizers", tokenizers), ("transformers", transformers)]:
        if module.__version__ != PINNED[name]:
            sys.exit(f"{name} {module.__version__} found; the fixtures are pinned to {PINNED[name]}")
    if args.stress:
        record_stress(args.stress_model or args.model, args.stress, args.stress_out)
        return
    record_minilm(args.model, args.data)
    record_tiny(args.data)
    record_unicode_classes()


if __name__ == "__main__":
    main()
