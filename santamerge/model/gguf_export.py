"""Write a GPT-BigCode checkpoint (the embedded model) as a GGUF file, for llama.cpp's
server, Ollama and other engines that read GGUF.

llama.cpp's own converter refuses tokenizers it does not know by the hash of their
pre-tokenizer output. santamerge's tokenizer is a byte-level BPE that splits digits one
by one before the GPT-2 pattern, which is exactly llama.cpp's ``starcoder``
pre-tokenizer, so this writer names it so, and writes the ``starcoder`` architecture
(GPT-BigCode: learned positions, multi-query attention, GELU). The weights stay float32
(the embedded model is 16 MB); the output layer is written out even where the
checkpoint ties it to the embedding. The FIM sentinels are recorded, so engines that
offer an infill route know them. Needs ``gguf`` and ``numpy`` (the ``engine`` extra).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from santamerge.errors import SantamergeError

ARCH = "starcoder"
FIM_TOKENS = {
    "fim_pre_token_id": "<fim-prefix>",
    "fim_suf_token_id": "<fim-suffix>",
    "fim_mid_token_id": "<fim-middle>",
    "fim_pad_token_id": "<fim-pad>",
}


def export_gguf(model_dir: Path, out: Path) -> dict[str, Any]:
    """Write ``model_dir`` (config.json, model.safetensors, tokenizer.json) to ``out``;
    what was written, in a few facts."""
    try:
        import gguf
        import numpy as np
        from safetensors.numpy import load_file
    except ImportError as exc:
        raise SantamergeError(
            f"writing GGUF needs {exc.name}: pip install 'santamerge[engine]'"
        ) from None
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "gpt_bigcode":
        raise SantamergeError(
            f"{model_dir}: a {config.get('model_type')!r} model; only "
            "GPT-BigCode checkpoints are written as GGUF here"
        )
    weights = load_file(str(model_dir / "model.safetensors"))
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    vocab: dict[str, int] = tokenizer["model"]["vocab"]
    for added in tokenizer.get("added_tokens", []):
        vocab.setdefault(added["content"], added["id"])
    tokens = sorted(vocab, key=vocab.__getitem__)
    if [vocab[t] for t in tokens] != list(range(len(tokens))):
        raise SantamergeError(f"{model_dir}: the tokenizer's ids are not 0..{len(tokens) - 1}")
    special = {a["content"] for a in tokenizer.get("added_tokens", []) if a.get("special")}
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]

    writer = gguf.GGUFWriter(str(out), ARCH)
    writer.add_name("santamerge embedded" if model_dir.name == "embedded" else model_dir.name)
    writer.add_context_length(int(config["n_positions"]))
    writer.add_embedding_length(int(config["n_embd"]))
    writer.add_feed_forward_length(int(config.get("n_inner") or 4 * config["n_embd"]))
    writer.add_block_count(int(config["n_layer"]))
    writer.add_head_count(int(config["n_head"]))
    writer.add_head_count_kv(1 if config.get("multi_query", True) else int(config["n_head"]))
    writer.add_layer_norm_eps(float(config.get("layer_norm_epsilon", 1e-5)))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("starcoder")
    writer.add_token_list(tokens)
    writer.add_token_types(
        [gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens]
    )
    writer.add_token_merges(merges)
    writer.add_bos_token_id(int(config.get("bos_token_id", 0)))
    writer.add_eos_token_id(int(config.get("eos_token_id", 0)))
    if config.get("pad_token_id") is not None:
        writer.add_pad_token_id(int(config["pad_token_id"]))
    writer.add_add_bos_token(False)
    for key, token in FIM_TOKENS.items():
        if token in vocab:
            writer.add_uint32(f"tokenizer.ggml.{key}", vocab[token])

    def put(name: str, array: Any) -> None:
        writer.add_tensor(name, np.ascontiguousarray(array, dtype=np.float32))

    put("token_embd.weight", weights["transformer.wte.weight"])
    put("position_embd.weight", weights["transformer.wpe.weight"])
    put("output_norm.weight", weights["transformer.ln_f.weight"])
    put("output_norm.bias", weights["transformer.ln_f.bias"])
    put("output.weight", weights.get("lm_head.weight", weights["transformer.wte.weight"]))
    parts = {
        "ln_1": "attn_norm",
        "attn.c_attn": "attn_qkv",
        "attn.c_proj": "attn_output",
        "ln_2": "ffn_norm",
        "mlp.c_fc": "ffn_up",
        "mlp.c_proj": "ffn_down",
    }
    for layer in range(int(config["n_layer"])):
        for hf, ours in parts.items():
            for kind in ("weight", "bias"):
                put(f"blk.{layer}.{ours}.{kind}", weights[f"transformer.h.{layer}.{hf}.{kind}"])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {
        "path": str(out),
        "bytes": out.stat().st_size,
        "architecture": ARCH,
        "context": int(config["n_positions"]),
        "vocabulary": len(tokens),
    }
