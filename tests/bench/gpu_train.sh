#!/usr/bin/env bash
# The one-command GPU run of docs/model-card.md, on the device machine, in the repository
# root, with the shards (`santamerge model corpus --out .corpus`) carried in .corpus/:
#
#   bash tests/bench/gpu_train.sh
#
# It trains the `small` config (about 29 M parameters, context 1,024, bf16) on the shards
# for MINUTES, evaluates held-out loss, exports the model with its card files, and leaves
# in $OUT: train.log, and the exported folder as model.tar split into 15 MiB parts (the
# device tool brings back at most 8 files of 16 MiB). Here, rebuild and check it with
#   cat model.tar.part-* | tar -xf - -C MODEL && (cd MODEL && sha256sum --check SHA256SUMS)
# CI runs it on the CPU with CONFIG=micro DEVICE=cpu STEPS=2 (tests/test_corpus_shards.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?set OUT to the folder the results go to}"
CONFIG=${CONFIG:-small} DEVICE=${DEVICE:-cuda} MINUTES=${MINUTES:-8}
CORPUS=${CORPUS:-.corpus} WORK=${WORK:-/tmp/santamerge-train} MODEL=${MODEL:-/tmp/santamerge-model}
PYTHON=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
budget=(--minutes "$MINUTES")
if [ -n "${STEPS:-}" ]; then budget=(--steps "$STEPS"); fi
rm -rf "$WORK" "$MODEL"
set -o pipefail
"$PYTHON" -m santamerge.commands.model_train --config "$CONFIG" --device "$DEVICE" \
    "${budget[@]}" --corpus "$CORPUS" --work-dir "$WORK" --out "$MODEL" 2>&1 \
    | tee "$OUT/train.log"
tar -C "$MODEL" -cf - . | split -b 15M -d - "$OUT/model.tar.part-"
ls -l "$OUT"
