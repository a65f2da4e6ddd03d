#!/usr/bin/env bash
# Run as it is on a machine with a GPU (from anywhere; it works in the repository root):
#   bash bench/gpu-check.sh [OUT_DIR]
# 1. provider detection and what 'auto' picks, with its reason;
# 2. the loss and gradient of the real `seed` network on CUDA and on WebGPU against the CPU
#    (relative error: ~1e-3 expected from GPU summation order and TF32, 1e-2 or worse is a bug);
# 3. where WebGPU ran the nodes of every model a run uses (check.json's webgpuPlacement: heavy nodes left on
#    the CPU and copies to the host, both empty when the graph suits the provider), and ONNX Runtime's
#    verbose node placement for WebGPU;
# 4. the per-step bench at 512 and 1024 px on the provider 'auto' picks (its roofline column is the CPU's);
# 5. tiled against whole-image steps at 1024 and 2048 px on that provider.
# Weights: STYLEBOT_WEIGHTS, else ../shared/models/vgg19_imagenet_notop_block1-3.h5 for the check;
# the bench generates weights of the right shape where the file lacks layers (same arithmetic, same time).
# Everything lands in OUT_DIR (default: ./gpu-check-out); paste summary.txt into the README.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-check-out}"
mkdir -p "$out"

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1 || echo "no nvidia-smi" > "$out/gpu.txt"
(command -v vulkaninfo >/dev/null && vulkaninfo --summary || echo "no vulkaninfo") > "$out/vulkan.txt" 2>&1

npx tsc -p tsconfig.bench.json

node dist-bench/bench/engine.js --gpu-check --out "$out/check.json" > /dev/null
node dist-bench/bench/engine.js --gpu-check --verbose-placement > /dev/null 2> "$out/webgpu-verbose.log" || true
# The nodes ONNX Runtime placed on the CPU in the WebGPU session, one per line after their count (shape
# arithmetic only is expected: check.json's webgpuPlacement says whether any of them is heavy).
awk '/Node\(s\) placed on \[CPUExecutionProvider\]/ { on = 1; print; next } /Node\(s\) placed on/ { on = 0 } on' \
  "$out/webgpu-verbose.log" > "$out/webgpu-cpu-nodes.txt" || true

{
  echo "== GPU"; cat "$out/gpu.txt"
  echo "== check (detection, CUDA and WebGPU vs CPU)"; cat "$out/check.json"
  echo "== WebGPU node placement"; cat "$out/webgpu-cpu-nodes.txt"
  echo "== bench, provider auto"
  for size in 512 1024; do node dist-bench/bench/engine.js --size "$size" --layers seed --steps 5; done
  node dist-bench/bench/engine.js --size 512 --layers gatys --steps 5
  echo "== tiles, provider auto"
  node dist-bench/bench/run.js --tiles --provider auto --size 1024,2048 --tile 512
} 2>&1 | tee "$out/summary.txt"
