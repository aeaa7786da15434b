#!/usr/bin/env python3
"""Records the fixtures for Tests/TorchPickleTests (dev tool, never run by tests or at run time).

usage: $(../shared/scripts/reference-venv.sh) Scripts/reference/record_torchpickle_fixtures.py
Pinned versions: Scripts/reference/requirements.txt (torch 2.13.0 CPU, transformers 5.24.0).

Writes into Tests/Fixtures/torchpickle/:
  tiny-bert/            a random-init tiny BertModel (hidden 32, 4 heads, intermediate 37, 2 layers,
                        vocab 280 so the tiny-uncased tokenizer fits): config.json, tokenizer.json
                        (copied from Tests/Fixtures/tokenizers/tiny-uncased) and pytorch_model.bin
                        from torch.save(model.state_dict()) (an OrderedDict with _metadata, i.e.
                        REDUCE + SETITEMS + BUILD).
  hf4_mlm.bin           the same encoder as BertForMaskedLM saved the way transformers 4.x
                        save_pretrained(safe_serialization=False) did (transformers 5 only writes
                        safetensors): torch.save of a plain dict of the state dict, "bert." prefixes,
                        the persistent int64 embeddings.position_ids buffer, and the MLM head whose
                        decoder weight/bias are tied to the word embeddings/cls bias (one storage,
                        two names).
  dtypes.bin            f32, f16 and bf16 (with ±0, ±inf, nan, subnormals), f64, i64, i32, i16, i8,
                        u8, bool, a 0-d scalar and an empty (0, 4) tensor.
  views.bin             tensors viewing one storage: the base, a transpose (non-contiguous), a row
                        slice (storage offset), a column slice (offset + strides), a strided view,
                        a stride-0 broadcast within the storage's size; nn.Parameters
                        (_rebuild_parameter, f32 and f16).
  protocol4.bin         torch.save(..., pickle_protocol=4): FRAME, MEMOIZE, SHORT_BINUNICODE.
  no_crc.bin            saved with torch.serialization.set_crc32_options(False) (every CRC is 0).
  big_endian.bin        a torch archive rewritten with byteorder "big" and byte-swapped storages
                        (as a big-endian machine writes it); torch.load reads it back unchanged.
  zip64.bin             a torch archive rewritten with ZIP64 fields everywhere (sizes and offsets
                        in ZIP64 extra fields, ZIP64 end records) as torch writes > 4 GiB files.
  expected.safetensors  every tensor of the files above as torch.load returns it, contiguous,
                        under "<file>/<name>" (e.g. "views.bin/transposed"), in its own dtype.

  malicious/*.bin       zip archives whose data.pkl would run code if unpickled by Python: GLOBAL
                        os.system + REDUCE, builtins.exec, builtins.eval via STACK_GLOBAL,
                        INST subprocess.Popen, GLOBAL subprocess.Popen + NEWOBJ, OBJ, EXT1 (the
                        copyreg registry), a forbidden call hidden inside tensor arguments, a call
                        of a storage class, BUILD on a tensor. Written byte by byte; never
                        unpickled. Each would create /tmp/mirror-bert-pickle-pwned if executed.
  malformed/*.bin       archives the reader must refuse with its own error each: missing storage,
                        storage shorter than its numel, absurd numel, absurd shape, offset past the
                        storage, broadcast view bigger than its storage, deep tuple and list
                        nesting, unknown storage type, conflicting storage dtypes, bad persistent
                        id, missing data.pkl, truncated pickle, data after STOP, unknown memo
                        index, deflated entries, the legacy (pre-1.6) format, a top-level list,
                        a non-tensor entry, tensor metadata (neg bit), non-empty backward hooks.
"""
import collections
import io
import json
import os
import shutil
import struct
import sys
import zipfile

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM, BertModel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "torchpickle")
PWNED = "/tmp/mirror-bert-pickle-pwned"

expected = {}


def record(file_name, path, weights_only=True):
    """Loads `path` back with torch and records each tensor, contiguous. weights_only=False only for
    files this script just wrote with torch.save (torch's weights-only unpickler lacks FRAME)."""
    sd = torch.load(path, weights_only=weights_only)
    for name, t in sd.items():
        expected[f"{file_name}/{name}"] = t.detach().contiguous().clone()


# MARK: - Models

def tiny_model():
    torch.manual_seed(4321)
    cfg = BertConfig(vocab_size=280, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=37, max_position_embeddings=40, type_vocab_size=2,
                     hidden_act="gelu", layer_norm_eps=1e-12, hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, pad_token_id=0)
    model = BertModel(cfg, add_pooling_layer=True)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1 + 0.2 * torch.randn_like(p))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(0.3 * torch.randn_like(p))
    return cfg, model.eval()


def tiny_bert(cfg, model):
    folder = os.path.join(OUT, "tiny-bert")
    os.makedirs(folder, exist_ok=True)
    cfg.save_pretrained(folder)
    shutil.copy(os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "tiny-uncased", "tokenizer.json"), folder)
    path = os.path.join(folder, "pytorch_model.bin")
    torch.save(model.state_dict(), path)
    record("tiny-bert/pytorch_model.bin", path)


def hf4_mlm(cfg, model):
    mlm = BertForMaskedLM(cfg)
    with torch.no_grad():
        mlm.bert.load_state_dict(model.state_dict(), strict=False)
        torch.manual_seed(99)
        for name, p in mlm.cls.named_parameters():
            if name != "predictions.decoder.weight":
                p.copy_(0.1 * torch.randn_like(p))
    mlm.tie_weights()
    assert mlm.cls.predictions.decoder.weight.data_ptr() == mlm.bert.embeddings.word_embeddings.weight.data_ptr()
    sd = mlm.state_dict()
    shard = {}
    for name, t in sd.items():
        shard[name] = t
        if name == "bert.embeddings.word_embeddings.weight":
            # transformers 4 registered position_ids as a persistent buffer right after the embeddings.
            shard["bert.embeddings.position_ids"] = torch.arange(cfg.max_position_embeddings).expand((1, -1))
    # transformers 4 tied the decoder bias to cls.predictions.bias, in the state dict as two names.
    shard["cls.predictions.decoder.bias"] = shard["cls.predictions.bias"]
    path = os.path.join(OUT, "hf4_mlm.bin")
    torch.save(shard, path)
    record("hf4_mlm.bin", path)


# MARK: - Dtypes and views

def special_values(dtype):
    info = torch.finfo(dtype)
    v = torch.tensor([0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"),
                      info.tiny, info.tiny / 4, info.max, -info.max, 0.1], dtype=torch.float32)
    return v.to(dtype)


def dtypes():
    torch.manual_seed(7)
    sd = {
        "f32": torch.randn(3, 5),
        "f16": torch.cat([special_values(torch.float16), torch.randn(6).half()]).reshape(3, 6),
        "bf16": torch.cat([special_values(torch.bfloat16), torch.randn(6).bfloat16()]).reshape(6, 3),
        "f64": torch.randn(2, 2, dtype=torch.float64),
        "i64": torch.tensor([[0, -1, 2**40], [7, -(2**62), 3]], dtype=torch.int64),
        "i32": torch.tensor([1, -2, 2**31 - 1], dtype=torch.int32),
        "i16": torch.tensor([-3, 300], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 5], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 17], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
    }
    path = os.path.join(OUT, "dtypes.bin")
    torch.save(sd, path)
    record("dtypes.bin", path)


def views():
    torch.manual_seed(8)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.25 - 1
    sd = collections.OrderedDict()
    sd["base"] = base
    sd["transposed"] = base.t()
    sd["row_slice"] = base[1:3]
    sd["col_slice"] = base[:, 2:5]
    sd["strided"] = base[::2, ::3]
    sd["broadcast"] = base[0, :3].expand(2, 3)
    sd["param"] = torch.nn.Parameter(torch.randn(3, 4))
    sd["param_f16"] = torch.nn.Parameter(torch.randn(2, 3).half(), requires_grad=False)
    assert not sd["transposed"].is_contiguous() and sd["col_slice"].storage_offset() == 2
    path = os.path.join(OUT, "views.bin")
    torch.save(sd, path)
    record("views.bin", path)


def protocol4():
    torch.manual_seed(9)
    sd = {"alpha": torch.randn(2, 3), "beta.gamma": torch.randn(4).bfloat16()}
    path = os.path.join(OUT, "protocol4.bin")
    torch.save(sd, path, pickle_protocol=4)
    record("protocol4.bin", path, weights_only=False)


def no_crc():
    torch.manual_seed(10)
    sd = {"w": torch.randn(5), "b": torch.randn(2, 2)}
    path = os.path.join(OUT, "no_crc.bin")
    torch.serialization.set_crc32_options(False)
    try:
        torch.save(sd, path)
    finally:
        torch.serialization.set_crc32_options(True)
    assert all(i.CRC == 0 for i in zipfile.ZipFile(path).infolist())
    record("no_crc.bin", path)


# MARK: - Rewritten archives

def torch_archive_bytes(sd):
    buf = io.BytesIO()
    torch.save(sd, buf)
    return buf.getvalue()


def big_endian():
    torch.manual_seed(11)
    sd = {"f32": torch.randn(2, 3), "f16": torch.randn(3).half(), "bf16": torch.randn(2).bfloat16(),
          "i64": torch.tensor([1, -2, 2**50]), "t": torch.randn(3, 2).t()}
    src = zipfile.ZipFile(io.BytesIO(torch_archive_bytes(sd)))
    # Each tensor has its own storage; torch numbers storages in pickling order (dict order).
    element_size = {str(i): t.element_size() for i, t in enumerate(sd.values())}
    path = os.path.join(OUT, "big_endian.bin")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("/byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                size = element_size[info.filename.rsplit("/", 1)[1]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            dst.writestr(info.filename, data)
    loaded = torch.load(path, weights_only=True)
    for k, v in sd.items():
        assert torch.equal(loaded[k], v), k
    record("big_endian.bin", path)


def write_zip64(path, records):
    """A ZIP archive of stored entries that uses ZIP64 fields for every size and offset."""
    out = bytearray()
    central = bytearray()
    for name, data in records:
        name_b = name.encode()
        crc = zipfile.crc32(data) & 0xFFFFFFFF
        offset = len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name_b), len(local_extra))
        out += name_b + local_extra + data
        extra = struct.pack("<HHQQQ", 1, 24, len(data), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF,
                               0xFFFFFFFF, len(name_b), len(extra), 0, 0, 0, 0, 0xFFFFFFFF)
        central += name_b + extra
    cd_offset = len(out)
    out += central
    eocd64_offset = len(out)
    n = len(records)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, eocd64_offset, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path, "wb") as f:
        f.write(out)


def zip64():
    torch.manual_seed(12)
    sd = {"a": torch.randn(3, 3), "b": torch.randn(4).half()}
    src = zipfile.ZipFile(io.BytesIO(torch_archive_bytes(sd)))
    path = os.path.join(OUT, "zip64.bin")
    write_zip64(path, [(i.filename, src.read(i.filename)) for i in src.infolist()])
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    loaded = torch.load(path, weights_only=True)
    for k, v in sd.items():
        assert torch.equal(loaded[k], v), k
    record("zip64.bin", path)


# MARK: - Hand-written pickles (never unpickled here)

def op_int(i):
    if 0 <= i < 256:
        return b"K" + bytes([i])
    if 0 <= i < 65536:
        return b"M" + struct.pack("<H", i)
    if -(2**31) <= i < 2**31:
        return b"J" + struct.pack("<i", i)
    n = (i.bit_length() + 8) // 8
    return b"\x8a" + bytes([n]) + i.to_bytes(n, "little", signed=True)


def op_str(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def op_global(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def op_tuple(*items):
    return b"(" + b"".join(items) + b"t"


def op_storage(storage_type, key, numel, location="cpu"):
    return op_tuple(op_str("storage"), op_global("torch", storage_type), op_str(key), op_str(location),
                    op_int(numel)) + b"Q"


def op_tensor(storage, offset, size, stride, hooks=b"}", metadata=None, requires_grad=False):
    """_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])."""
    args = [storage, op_int(offset), op_tuple(*map(op_int, size)), op_tuple(*map(op_int, stride)),
            b"\x88" if requires_grad else b"\x89", hooks]
    if metadata is not None:
        args.append(metadata)
    return op_global("torch._utils", "_rebuild_tensor_v2") + op_tuple(*args) + b"R"


def state_dict(entries):
    """{name: value} as EMPTY_DICT MARK key value ... SETITEMS STOP."""
    body = b"".join(op_str(k) + v for k, v in entries)
    return b"\x80\x02}(" + body + b"u."


def write_archive(path, pkl, storages=(), prefix="archive", compression=zipfile.ZIP_STORED, extra=()):
    with zipfile.ZipFile(path, "w", compression) as z:
        if pkl is not None:
            z.writestr(f"{prefix}/data.pkl", pkl)
        z.writestr(f"{prefix}/byteorder", "little")
        for key, data in storages:
            z.writestr(f"{prefix}/data/{key}", data)
        for name, data in extra:
            z.writestr(f"{prefix}/{name}", data)
        z.writestr(f"{prefix}/version", "3\n")


F32_6 = struct.pack("<6f", 1, 2, 3, 4, 5, 6)
GOOD_TENSOR = op_tensor(op_storage("FloatStorage", "0", 6), 0, (2, 3), (3, 1))


def malicious():
    folder = os.path.join(OUT, "malicious")
    os.makedirs(folder, exist_ok=True)
    cmd = f"touch {PWNED}"
    cases = {
        # os.system("touch …") at the top level.
        "os_system": b"\x80\x02" + op_global("os", "system") + op_str(cmd) + b"\x85R.",
        # posix.system inside an otherwise valid state dict entry.
        "posix_system_in_dict": state_dict([("w", GOOD_TENSOR),
                                            ("x", op_global("posix", "system") + op_str(cmd) + b"\x85R")]),
        # builtins.exec of Python source.
        "builtins_exec": b"\x80\x02" + op_global("builtins", "exec")
        + op_str(f"import os; os.system('{cmd}')") + b"\x85R.",
        # builtins.eval through protocol 4 STACK_GLOBAL.
        "stack_global_eval": b"\x80\x04" + b"\x8c\x08builtins" + b"\x8c\x04eval" + b"\x93"
        + op_str(f"__import__('os').system('{cmd}')") + b"\x85R.",
        # INST subprocess.Popen(["touch", …]) (protocol 0 instance creation).
        "inst_popen": b"(" + b"]" + b"(" + op_str("touch") + op_str(PWNED) + b"e" + b"isubprocess\nPopen\n.",
        # GLOBAL subprocess.Popen + NEWOBJ.
        "newobj_popen": b"\x80\x02" + op_global("subprocess", "Popen") + b"]" + b"(" + op_str("touch")
        + op_str(PWNED) + b"e\x85\x81.",
        # GLOBAL subprocess.Popen + REDUCE.
        "reduce_popen": b"\x80\x02" + op_global("subprocess", "Popen") + b"]" + b"(" + op_str("touch")
        + op_str(PWNED) + b"e\x85R.",
        # OBJ with a whitelisted class: the opcode itself is refused.
        "obj_ordered_dict": b"\x80\x02(" + op_global("collections", "OrderedDict") + b"o.",
        # EXT1 looks the callable up in copyreg's extension registry.
        "ext1": b"\x80\x02\x82\x01" + op_str(cmd) + b"\x85R.",
        # A forbidden call as a tensor's backward_hooks argument.
        "hooks_call": state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0, (2, 3), (3, 1),
                                                  hooks=op_global("os", "system") + op_str(cmd) + b"\x85R"))]),
        # Calling a whitelisted storage class.
        "call_storage_class": b"\x80\x02" + op_global("torch", "FloatStorage") + op_int(10) + b"\x85R.",
        # BUILD on a tensor (would set attributes on it).
        "build_tensor": state_dict([("w", GOOD_TENSOR + b"}" + op_str("__class__") + op_str("x") + b"sb")]),
        # torch.load itself (a whitelisted-looking module, not a whitelisted name).
        "torch_load": b"\x80\x02" + op_global("torch", "load") + op_str("/etc/passwd") + b"\x85R.",
    }
    for name, pkl in cases.items():
        write_archive(os.path.join(folder, f"{name}.bin"), pkl, storages=[("0", F32_6)])


def malformed():
    folder = os.path.join(OUT, "malformed")
    os.makedirs(folder, exist_ok=True)

    def one(name, pkl, storages=(("0", F32_6),), **kw):
        write_archive(os.path.join(folder, f"{name}.bin"), pkl, storages=storages, **kw)

    one("missing_storage", state_dict([("w", op_tensor(op_storage("FloatStorage", "7", 6), 0, (2, 3), (3, 1)))]))
    one("short_storage", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0, (2, 3), (3, 1)))]),
        storages=[("0", F32_6[:20])])
    one("absurd_numel", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 2**62), 0, (2, 3), (3, 1)))]))
    one("absurd_shape", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0,
                                                    (2**31, 2**31, 2**31), (1, 1, 1)))]))
    one("offset_past_storage", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 4, (2, 3), (3, 1)))]))
    one("broadcast_past_storage", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0,
                                                              (1000, 1000), (0, 0)))]))
    one("negative_stride", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 5, (6,), (-1,)))]))
    one("deep_tuples", b"\x80\x02)" + b"\x85" * 100_000 + b".")
    one("deep_lists", b"\x80\x02" + b"]" * 50_000 + b"a" * 49_999 + b".")
    one("unknown_storage_type", state_dict([("w", op_tensor(op_storage("ComplexFloatStorage", "0", 3), 0, (3,), (1,)))]))
    one("dtype_conflict", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0, (6,), (1,))),
                                      ("h", op_tensor(op_storage("HalfStorage", "0", 12), 0, (12,), (1,)))]))
    one("bad_persistent_id", state_dict([("w", op_global("torch._utils", "_rebuild_tensor_v2") + op_tuple(
        op_tuple(op_str("storage"), op_global("torch", "FloatStorage"), op_str("0"), op_str("cpu")) + b"Q",
        op_int(0), op_tuple(op_int(6)), op_tuple(op_int(1)), b"\x89", b"}") + b"R")]))
    one("no_data_pkl", None)
    one("truncated_pickle", state_dict([("w", GOOD_TENSOR)])[:-10])
    one("data_after_stop", state_dict([("w", GOOD_TENSOR)]) + b"N.")
    one("unknown_memo", b"\x80\x02}(" + op_str("w") + b"h\x05u.")
    one("top_level_list", b"\x80\x02](" + GOOD_TENSOR + b"e.")
    one("non_tensor_entry", state_dict([("w", GOOD_TENSOR), ("step", op_int(3))]))
    one("neg_bit", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0, (2, 3), (3, 1),
                                               metadata=b"}" + op_str("neg") + b"\x88s"))]))
    one("backward_hooks", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 0, (2, 3), (3, 1),
                                                      hooks=b"}" + op_int(0) + op_str("hook") + b"s"))]))
    one("big_integer", state_dict([("w", op_tensor(op_storage("FloatStorage", "0", 6), 2**70, (2, 3), (3, 1)))]))
    one("deflated", state_dict([("w", GOOD_TENSOR)]), compression=zipfile.ZIP_DEFLATED)

    legacy = os.path.join(folder, "legacy.bin")
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(legacy)


def main():
    os.makedirs(OUT, exist_ok=True)
    cfg, model = tiny_model()
    tiny_bert(cfg, model)
    hf4_mlm(cfg, model)
    dtypes()
    views()
    protocol4()
    no_crc()
    big_endian()
    zip64()
    save_file(expected, os.path.join(OUT, "expected.safetensors"), metadata={"torch": torch.__version__})
    malicious()
    malformed()
    assert not os.path.exists(PWNED)
    print(f"wrote {OUT} ({len(expected)} expected tensors)", file=sys.stderr)


if __name__ == "__main__":
    main()
