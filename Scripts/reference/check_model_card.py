#!/usr/bin/env python3
"""Checks a model folder's README.md written by `mirror-bert train` / `eval --card` with the Hugging Face
tools themselves (dev tool; not used at run time): huggingface_hub's ModelCard parses its front matter
and model-index (the Hub's reader of `eval_results`), and sentence-transformers loads the folder the
way the card's usage section says and encodes with it.

usage: $(../shared/scripts/reference-venv.sh) Scripts/reference/check_model_card.py MODEL_DIR [EVAL.json]
       where EVAL.json = `mirror-bert eval --model MODEL_DIR --card --json EVAL.json`: the model-index
       values must be its scores / 100
"""
import json
import sys

from huggingface_hub import ModelCard


def main():
    model_dir = sys.argv[1]
    card = ModelCard.load(f"{model_dir}/README.md")
    data = card.data
    print(f"card: library_name={data.library_name!r} pipeline_tag={data.pipeline_tag!r} "
          f"base_model={data.base_model!r} tags={data.tags}")
    assert data.library_name == "sentence-transformers" and data.pipeline_tag == "sentence-similarity"
    results = data.eval_results or []
    for r in results:
        print(f"  model-index: {r.task_type} / {r.dataset_name} ({r.dataset_type}): {r.metric_type} = {r.metric_value}")
    if len(sys.argv) > 2:
        report = json.load(open(sys.argv[2]))
        expected = {r["set"]: r["score"] / 100 for r in report["results"] if r["score"] is not None}
        got = {r.dataset_type: r.metric_value for r in results}
        assert got == expected, f"model-index {got} != eval --json / 100 {expected}"
        print(f"  model-index equals eval --json / 100 for {len(got)} sets")

    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(model_dir, device="cpu")
    embeddings = model.encode(["A man is playing a guitar.", "Someone plays an instrument.", "A woman slices an onion."])
    print(f"sentence-transformers: loaded {model_dir}, embeddings {embeddings.shape}")
    print(model.similarity(embeddings, embeddings))


if __name__ == "__main__":
    main()
