"""examples/quickstart.ipynb executes top to bottom (nbclient)."""

import json
import os
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

import dnnroof  # noqa: E402

# Its bench cell measures resnet18.
pytestmark = pytest.mark.skipif(not dnnroof._dnnroof.has_executor,
                                reason="built without the LibTorch executor")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_quickstart_notebook_runs(tmp_path, monkeypatch):
    # The kernel runs this interpreter (a venv's, with dnnroof installed),
    # not whatever python3 an installed kernelspec names.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.read(os.path.join(ROOT, "examples", "quickstart.ipynb"), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert (tmp_path / "roofline.svg").exists()
    # The roofline shows inline as SVG; the analysis as an HTML table.
    data = [o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])]
    assert any("image/svg+xml" in d for d in data)
    assert any("text/html" in d and "dnnroof analysis" in d["text/html"] for d in data)
