#!/usr/bin/env python3
"""Records the fixtures of the other tokenizer families (development tool only): byte-level BPE
(RoBERTa), other BPE configurations, Unigram / SentencePiece (XLM-R) and MPNet, under
Tests/Fixtures/tokenizers/.

Pinned: tokenizers==0.23.3, transformers==5.24.0 (requirements.txt). The XLM-R-style fixtures also
need sentencepiece==0.2.3 and protobuf (only to train a small SentencePiece model whose charsmap is
the real nmt_nfkc one); install them beside the venv, e.g.
  /work/venv-ref/bin/python -m pip install --target .cache/spm-site sentencepiece==0.2.3 protobuf
  PYTHONPATH=.cache/spm-site /work/venv-ref/bin/python Scripts/reference/record_family_tokenizer_fixtures.py

Tokenizers are trained here on a fixed multilingual sample of ../shared/data/train (small vocabularies).
The trainers break ties differently from run to run, so a rerun may renumber some tokenizers; their
parity rows are always recorded together with them.
  roberta-bpe/     byte-level BPE trained with `tokenizers` (ByteLevel, RobertaProcessing, <mask> with
                   lstrip); tokenizer.json (merges as pairs), tokenizer.legacy-merges.json (the same with
                   "a b" merges), vocab.json + merges.txt + tokenizer_config.json + special_tokens_map.json
                   for the fallback, recorded through transformers' RobertaTokenizer.
  bpe-suffix/      BPE with continuing_subword_prefix "##", end_of_word_suffix "</w>", unk_token and
                   fuse_unk, Sequence[NFKC, Lowercase, Strip] normalizer, Sequence[WhitespaceSplit,
                   Split("-", MergedWithNext)], a ByteLevel + Template post-processor Sequence.
  bpe-fallback/    BPE with byte_fallback (byte pieces for ASCII and a few lead bytes only), unk without
                   fusing, ignore_merges, Metaspace(prepend first, split false), BertProcessing.
  xlmr-spm/        a SentencePiece Unigram (nmt_nfkc charsmap) converted by transformers'
                   XLMRobertaTokenizer: Precompiled, Sequence[WhitespaceSplit, Metaspace], Template.
  xlmr-hub/        the same model in the shape of the hub's xlm-roberta tokenizer.json:
                   Sequence[Precompiled, Replace(" {2,}", " ")], Metaspace(always), Template; its charsmap
                   is stored as "@xlmr-spm" (the test copies it from xlmr-spm) to keep the fixtures small.
  unigram-nfkc/    a Unigram trained with `tokenizers` (Sequence[Nmt, NFKC, Replace(" {2,}"), Lowercase],
                   Metaspace(prepend first), RobertaProcessing) with byte_fallback pieces added.
  family_parity.json  the texts once (~350 hand-written: the BERT edge cases and family ones; ~80 real
                   lines sampled from every training file), and for each tokenizer: ids, type ids (when not
                   all 0), token strings (hand-written cases only), the ids truncated to 2, 3, 8, 50 (stored
                   only when they differ from the untruncated ids); for roberta-bpe also transformers'
                   vocab.json fallback ids where they differ.
  mpnet_parity.json   the same strings through models/all-mpnet-base-v2/tokenizer.json (Scripts/setup.sh
                   --model mpnet), if present, and transformers' MPNetTokenizer from its vocab.txt where it differs.
  regex_classes.json  \\p{L}, \\p{N} and \\s of HF's Oniguruma, probed for every code point.

--stress N --stress-model FOLDER [--stress-out /tmp/stress.json]: instead, N random strings (the BERT
script's generator plus family pieces: <mask>, "▁", contractions, byte-level characters, runs of
spaces) encoded by FOLDER/tokenizer.json, not committed; check with
  TOKENIZERS_STRESS=/tmp/stress.json TOKENIZERS_STRESS_MODEL=FOLDER swift test --filter StressParity
"""

import argparse
import base64
import io
import json
import os
import random
import shutil
import sys
import tempfile

import tokenizers
import transformers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record_tokenizer_fixtures import PINNED, ROOT, OUT, SEED, edge_cases, write_json  # noqa: E402

MAX_LENGTHS = [2, 3, 8, 50]
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


# MARK: - Texts

def corpus(data, per_file=500):
    """A fixed multilingual training sample."""
    rng = random.Random(SEED + 1)
    lines = []
    for name in ["stsbenchmark_train_10k_sents_random_sampled.txt", "russian_wikimatrix_10k_sents_random_sampled.txt",
                 "arabic_wikimatrix_10k_sents_random_sampled.txt", "zh_words_top_10k.txt", "fr_words_top_10k.txt",
                 "pl_words_top_10k.txt", "et_words_top_10k.txt"]:
        with open(os.path.join(data, "train", name), encoding="utf-8") as f:
            all_lines = [l for l in f.read().split("\n") if l]
        lines += rng.sample(all_lines, min(per_file, len(all_lines)))
    return lines


def family_edge_cases():
    return [
        "<mask>", "a <mask> b", "a<mask>b", "a  <mask>  b", " <mask>", "<mask> ", "<mask><mask>", "hello <mask>.",
        "The capital of France is <mask>.", "<s>", "</s>", "<s> text </s>", "<pad>", "<unk>", "<MASK>", "< mask >",
        "<mask", "mask>", "\t<mask>\n", "\u00a0<mask>", "x\u3000<mask>", "<mask>\u0301",
        "I'll we've they're she'd it's I'm don't", "'S 'T 'RE", "''s", "'''", "it''s", "rock'n'roll",
        "a  b", "a   b", "a \tb", "a\t b", "a \u00a0b", "trailing ", "trailing  ", " leading", "  leading",
        "\u2581already", "a\u2581b", "\u2581\u2581", "x \u2581 y", "under_score __init__", "x-y-z", "--", "a - b",
        "1234567890", "3.14 2,718", "\u0661\u0662\u0663 \u0967\u0968", "\u00b2\u00b3", "x\u00b2", "H\u2082O",
        "\uff21\uff22\uff23\uff11\uff12\uff13", "\u2460\u2461 \u2474", "\u3371 \u33a1", "\ufb01\ufb02", "\u2126",
        "e\u0301e\u0301e\u0301", "e\u0301\u0301", "\u1100\u1161\u11a8", "\uac01", "\u0928\u093f", "\u0915\u094d\u0937",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f44d\U0001f3fd",
        "\u200b\u200c\u200d\u200e\u200f", "\ufeffBOM", "a\u00adb", "a\u2028b", "\x01\x02\x7f", "\x0b\x0c",
        "\ufffd", "\u00ff\u0100\u0101", "\u0120\u010a", "<0x41>", "<0xE4>", "<0x41><0x42>", "\U00011938 \U00011935\U00011930",
    ]


def sampled_lines(data, n_per=8):
    rng = random.Random(SEED + 2)
    picks = []
    train = os.path.join(data, "train")
    for name in sorted(os.listdir(train)):
        with open(os.path.join(train, name), encoding="utf-8") as f:
            lines = [l for l in f.read().split("\n") if l]
        picks += rng.sample(lines, min(n_per, len(lines)))
    return picks


def all_texts(data):
    """(texts, how many of them are hand-written edge cases; the rest are sampled lines)."""
    seen, out = set(), []
    hand = edge_cases() + family_edge_cases()
    for t in hand + sampled_lines(data):
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out, len(set(hand))


def compact(rows, edge_count):
    """Without the texts (stored once) and, for sampled lines, without token strings."""
    out = []
    for i, r in enumerate(rows):
        r = dict(r)
        del r["text"]
        if i >= edge_count:
            del r["tokens"]
        out.append(r)
    return out


# MARK: - Recording

def record(tok, texts):
    tok.no_padding()
    tok.no_truncation()
    rows = []
    for text in texts:
        e = tok.encode(text)
        row = {"text": text, "ids": e.ids, "tokens": e.tokens}
        if any(e.type_ids):
            row["type_ids"] = e.type_ids
        rows.append(row)
    for m in MAX_LENGTHS:
        tok.enable_truncation(m)
        for r in rows:
            ids = tok.encode(r["text"]).ids
            r.setdefault("truncated", {})
            if ids != r["ids"]:
                r["truncated"][str(m)] = ids
    tok.no_truncation()
    return rows


def record_transformers(folder, rows):
    """transformers' ids from `folder` (no tokenizer.json) where they differ; returns how many equal."""
    hf = transformers.AutoTokenizer.from_pretrained(folder)
    equal = 0
    for r in rows:
        ids = hf(r["text"])["input_ids"]
        truncated = {}
        for m in MAX_LENGTHS:
            t = hf(r["text"], truncation=True, max_length=m)["input_ids"]
            if t != ids:
                truncated[str(m)] = t
        if ids == r["ids"] and truncated == r["truncated"]:
            equal += 1
        else:
            r["fallback"] = {"ids": ids, "truncated": truncated}
    return equal


def save(tok, name, filename="tokenizer.json"):
    path = os.path.join(OUT, name, filename)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tok.save(path)
    return path


def json_dump(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


# MARK: - Byte-level BPE (RoBERTa)

def build_roberta(lines, texts):
    tok = Tokenizer(models.BPE(continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=900, min_frequency=2, special_tokens=SPECIALS[:4],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(lines, trainer)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    path = save(tok, "roberta-bpe")
    folder = os.path.dirname(path)
    tok.model.save(folder)  # vocab.json, merges.txt
    doc = json.load(open(path, encoding="utf-8"))
    doc["model"]["merges"] = [" ".join(m) for m in doc["model"]["merges"]]
    json_dump(os.path.join(folder, "tokenizer.legacy-merges.json"), doc)
    json_dump(os.path.join(folder, "tokenizer_config.json"), {
        "tokenizer_class": "RobertaTokenizer", "add_prefix_space": False, "errors": "replace", "model_max_length": 64,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>", "cls_token": "<s>",
        "pad_token": "<pad>"})
    json_dump(os.path.join(folder, "special_tokens_map.json"), {
        "mask_token": {"content": "<mask>", "lstrip": True, "rstrip": False, "single_word": False, "normalized": False}})
    rows = record(Tokenizer.from_file(path), texts)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ["vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"]:
            shutil.copy(os.path.join(folder, name), tmp)
        equal = record_transformers(tmp, rows)
    print(f"roberta-bpe: {len(rows)} strings; transformers vocab.json fallback equal on {equal}")
    legacy = record(Tokenizer.from_file(os.path.join(folder, "tokenizer.legacy-merges.json")), texts)
    assert [r["ids"] for r in legacy] == [r["ids"] for r in rows]
    return rows


def build_bpe_suffix(lines, texts):
    tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>", fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Split("-", behavior="merged_with_next")])
    trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=2, special_tokens=SPECIALS, limit_alphabet=120,
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator(lines, trainer)
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                      special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))])])
    return record(Tokenizer.from_file(save(tok, "bpe-suffix")), texts)


def build_bpe_fallback(lines, texts):
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first", split=False)
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=3, special_tokens=SPECIALS, limit_alphabet=60,
                                  show_progress=False)
    tok.train_from_iterator(lines, trainer)
    doc = json.loads(tok.to_str())
    vocab = doc["model"]["vocab"]
    for b in list(range(0x20, 0x7F)) + [0xC3, 0xD0, 0xD1, 0xE4, 0xF0]:
        vocab.setdefault(f"<0x{b:02X}>", len(vocab))
    doc["model"]["byte_fallback"] = True
    doc["model"]["fuse_unk"] = False
    doc["model"]["ignore_merges"] = True
    tok = Tokenizer.from_str(json.dumps(doc))
    tok.post_processor = processors.BertProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    return record(Tokenizer.from_file(save(tok, "bpe-fallback")), texts)


# MARK: - Unigram (SentencePiece)

def build_xlmr(lines, texts):
    import sentencepiece as spm
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=1000,
                                   model_type="unigram", normalization_rule_name="nmt_nfkc",
                                   character_coverage=0.9995, num_threads=1, minloglevel=2, seed_sentencepiece_size=100000)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        with open(os.path.join(src, "sentencepiece.bpe.model"), "wb") as f:
            f.write(model.getvalue())
        json_dump(os.path.join(src, "tokenizer_config.json"), {"tokenizer_class": "XLMRobertaTokenizer"})
        hf = transformers.AutoTokenizer.from_pretrained(src)
        out = os.path.join(OUT, "xlmr-spm")
        os.makedirs(out, exist_ok=True)
        hf.save_pretrained(out)
    path = os.path.join(out, "tokenizer.json")
    results["xlmr-spm"] = record(Tokenizer.from_file(path), texts)

    doc = json.load(open(path, encoding="utf-8"))
    charsmap = doc["normalizer"]["precompiled_charsmap"]
    doc["normalizer"] = {"type": "Sequence", "normalizers": [
        {"type": "Precompiled", "precompiled_charsmap": charsmap},
        {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    doc["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}
    hub = Tokenizer.from_str(json.dumps(doc))
    results["xlmr-hub"] = record(hub, texts)
    doc["normalizer"]["normalizers"][0]["precompiled_charsmap"] = "@xlmr-spm"
    os.makedirs(os.path.join(OUT, "xlmr-hub"), exist_ok=True)
    json_dump(os.path.join(OUT, "xlmr-hub", "tokenizer.json"), doc)
    return results


def build_unigram_nfkc(lines, texts):
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.Nmt(), normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " "),
                                           normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    trainer = trainers.UnigramTrainer(vocab_size=800, special_tokens=SPECIALS, unk_token="<unk>", show_progress=False)
    # Without CJK lines (too many characters for 800 pieces): CJK then goes to byte_fallback.
    tok.train_from_iterator([l for l in lines if all(ord(c) < 0x2E80 for c in l)], trainer)
    doc = json.loads(tok.to_str())
    vocab = doc["model"]["vocab"]
    low = min(s for _, s in vocab) - 1.0
    for b in range(256):
        vocab.append([f"<0x{b:02X}>", low])
    doc["model"]["byte_fallback"] = True
    tok = Tokenizer.from_str(json.dumps(doc))
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False)])
    return record(Tokenizer.from_file(save(tok, "unigram-nfkc")), texts)


# MARK: - Oniguruma classes

def record_regex_classes():
    from record_tokenizer_fixtures import ranges
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)

    def keep(pattern):
        return sorted(ord(c) for c in normalizers.Replace(Regex(pattern), "").normalize_str(text))

    write_json(os.path.join(OUT, "regex_classes.json"), {
        "tokenizers": tokenizers.__version__,
        "note": "inclusive [first, last] ranges of the code points Oniguruma (as HF runs it) puts in each class",
        "letter": ranges(keep(r"[^\p{L}]")), "number": ranges(keep(r"[^\p{N}]")), "whitespace": ranges(keep(r"\S"))})


def family_stress_strings(n, seed):
    from record_tokenizer_fixtures import stress_strings
    rng = random.Random(seed + 7)
    pieces = ["<mask>", " <mask>", "<s>", "</s>", "<pad>", "<unk>", "\u2581", "\u2581\u2581", "'s", "'ll", "'RE", "''",
              "  ", "   ", " \t", "\u00a0 ", "\u0120", "\u010a", "<0x41>", "-", "--", "e\u0301", "\ufb01", "\u2460", "\uff21",
              "\u1100\u1161", "\U0001f468\u200d\U0001f469", "\u0915\u094d\u0937", "\ufeff", "\u200d", "x" * 40]
    out = []
    for base in stress_strings(n, seed):
        parts = [base]
        for _ in range(rng.randrange(0, 6)):
            k = rng.randrange(0, len(parts[0]) + 1)
            parts[0] = parts[0][:k] + rng.choice(pieces) + parts[0][k:]
        out.append(parts[0])
    return out


def record_stress(model, n, path):
    texts = family_stress_strings(n, SEED)
    tok = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    records = []
    for text in texts:
        e = tok.encode(text)
        records.append({"text": text, "ids": e.ids, "tokens": e.tokens, "type_ids": e.type_ids, "truncated": {}})
    for m in MAX_LENGTHS:
        tok.enable_truncation(m)
        for r in records:
            r["truncated"][str(m)] = tok.encode(r["text"]).ids
    equal = 0
    side = ["tokenizer_config.json", "special_tokens_map.json"]
    for files in (["vocab.txt"], ["vocab.json", "merges.txt"]):
        if all(os.path.exists(os.path.join(model, f)) for f in files):
            with tempfile.TemporaryDirectory() as tmp:
                for name in files + side:
                    if os.path.exists(os.path.join(model, name)):
                        shutil.copy(os.path.join(model, name), tmp)
                equal = record_transformers(tmp, records)
    print(f"stress: {len(records)} strings from {model}; transformers fallback equal on {equal}")
    write_json(path, {"max_lengths": MAX_LENGTHS, "fallback_equal": equal, "cases": records})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.environ.get("MIRROR_BERT_DATA") or os.path.join(os.path.dirname(ROOT), "shared", "data"))
    parser.add_argument("--mpnet", default=os.path.join(ROOT, "models", "all-mpnet-base-v2"))
    parser.add_argument("--stress", type=int, default=0)
    parser.add_argument("--stress-model")
    parser.add_argument("--stress-out", default="/tmp/tokenizer_stress.json")
    args = parser.parse_args()
    for name, module in [("tokenizers", tokenizers), ("transformers", transformers)]:
        if module.__version__ != PINNED[name]:
            sys.exit(f"{name} {module.__version__} found; the fixtures are pinned to {PINNED[name]}")
    if args.stress:
        if not args.stress_model:
            sys.exit("--stress needs --stress-model FOLDER (a folder with tokenizer.json)")
        record_stress(args.stress_model, args.stress, args.stress_out)
        return
    lines = corpus(args.data)
    texts, edge_count = all_texts(args.data)
    sets = {"roberta-bpe": build_roberta(lines, texts), "bpe-suffix": build_bpe_suffix(lines, texts),
            "bpe-fallback": build_bpe_fallback(lines, texts)}
    sets.update(build_xlmr(lines, texts))
    sets["unigram-nfkc"] = build_unigram_nfkc(lines, texts)
    for name, rows in sets.items():
        print(f"{name}: {len(rows)} strings")
    write_json(os.path.join(OUT, "family_parity.json"), {
        "tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
        "max_lengths": MAX_LENGTHS, "texts": texts, "edge_count": edge_count,
        "sets": {name: compact(rows, edge_count) for name, rows in sets.items()}})
    if os.path.exists(os.path.join(args.mpnet, "tokenizer.json")):
        rows = record(Tokenizer.from_file(os.path.join(args.mpnet, "tokenizer.json")), texts)
        with tempfile.TemporaryDirectory() as tmp:
            for name in ["vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]:
                shutil.copy(os.path.join(args.mpnet, name), tmp)
            equal = record_transformers(tmp, rows)
        print(f"all-mpnet-base-v2: {len(rows)} strings; transformers vocab.txt fallback equal on {equal}")
        write_json(os.path.join(OUT, "mpnet_parity.json"), {
            "source": "models/all-mpnet-base-v2/tokenizer.json", "tokenizers": tokenizers.__version__,
            "max_lengths": MAX_LENGTHS, "texts": texts, "edge_count": edge_count,
            "sets": {"all-mpnet-base-v2": compact(rows, edge_count)}})
    else:
        print(f"no {args.mpnet}/tokenizer.json: mpnet_parity.json not written (Scripts/setup.sh --model mpnet)")
    record_regex_classes()


if __name__ == "__main__":
    main()
