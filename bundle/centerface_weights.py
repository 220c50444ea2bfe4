"""Make the CenterFace weights the app ships from the original file, once, at development time.

    uv run --with onnx python bundle/centerface_weights.py ORIGINAL.onnx rws_desktop/models/centerface.onnx

The original `centerface_bnmerged.onnx` (see rws_desktop/models/NOTICE.md) declares a fixed input
of 10 images of 32 x 32 pixels, and lists its weights among the graph's inputs. OpenCV's DNN module
ignores both; ONNX Runtime, which the app now uses, honours them. This rewrites the graph's
declarations only: the input's batch, height and width (and the outputs' matching sides) become
named free sizes, the weights stop being listed as inputs (so the runtime may fold them as
constants), and batch-norm counters no layer reads are dropped. No weight, layer or connection that
computes anything changes: the network computes the same numbers.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path


def with_free_sizes(original: bytes) -> bytes:
    import onnx  # a development-time tool only: the app never imports onnx

    model = onnx.load_from_string(original)
    graph = model.graph
    used = {name for node in graph.node for name in node.input}
    # Batch-norm counters left over from training: no layer reads them.
    unused = [initializer for initializer in graph.initializer if initializer.name not in used]
    for initializer in unused:
        graph.initializer.remove(initializer)
    weights = {initializer.name for initializer in graph.initializer} | {initializer.name for initializer in unused}
    listed_weights = [value for value in graph.input if value.name in weights]
    for value in listed_weights:
        graph.input.remove(value)
    for value, names in [(graph.input[0], ("batch", None, "height", "width"))] + \
                        [(output, ("batch", None, "grid_height", "grid_width")) for output in graph.output]:
        for dimension, name in zip(value.type.tensor_type.shape.dim, names):
            if name:
                dimension.dim_param = name  # replaces the fixed dim_value
    del graph.value_info[:]  # intermediate shapes were worked out for 32 x 32; let the runtime infer them
    onnx.checker.check_model(model)
    return model.SerializeToString()


def main(source: str, target: str) -> None:
    original = Path(source).read_bytes()
    derived = with_free_sizes(original)
    Path(target).write_bytes(derived)
    for name, data in (("original", original), ("shipped", derived)):
        print(f"{name}: {len(data)} bytes, SHA-256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
