"""dnnroof.bench through the executor module, and Ctrl-C during a sweep."""

import os
import signal

import pytest

import dnnroof

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.skipif(not dnnroof._dnnroof.has_executor,
                                reason="built without the LibTorch executor")


def small_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(8, 10))


def test_bench_module_infer_and_train(tmp_path):
    out = tmp_path / "results.json"
    df = dnnroof.bench(small_net(), batch=[1, 4], mode=["infer", "train"], budget=0.3,
                       input_size=(1, 3, 32, 32), out=out, progress=False, name="small")
    assert len(df) == 4
    assert set(df["model"]) == {"small"}
    assert list(df["status"].isin(["ok", "noisy"])) == [True] * 4
    assert (df["latency_s"] > 0).all()
    assert sorted(df["batch"]) == [1, 1, 4, 4]
    train = df[df["mode"] == "train"].iloc[0]
    assert train["backward_median_s"] > 0
    assert out.exists() and df.attrs["results_file"] == str(out)
    assert df.attrs["interrupted"] is False


def test_ctrl_c_stops_the_sweep_and_keeps_finished_results():
    # SIGINT, as a notebook's interrupt sends, when the second configuration
    # starts (the first has finished): the sweep ends, keeping what finished.
    lines = []

    def progress(line):
        lines.append(line)
        if line.startswith("[2/"):
            os.kill(os.getpid(), signal.SIGINT)

    # Python's own handler (a shell may start the tests with SIGINT ignored).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        df = dnnroof.bench(small_net(), batch=[1, 2, 3, 4, 5, 6, 7, 8], budget=0.5,
                           input_size=(1, 3, 32, 32), progress=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert df.attrs["interrupted"] is True
    assert lines[0].startswith("[1/8]")
    assert 1 <= len(df) < 8
    assert set(df["status"]) <= {"ok", "noisy"}


def test_report_from_bench_results(tmp_path):
    df = dnnroof.bench(["squeezenet1_1"], batch=[1], budget=0.3, out=tmp_path / "r.json",
                       progress=False)
    index = dnnroof.report(out=tmp_path / "study", models=["squeezenet1_1"], results=df,
                           chips=["a100-sxm4-80gb"], figures=False, progress=False)
    assert index == str(tmp_path / "study" / "index.html")
    text = (tmp_path / "study" / "index.html").read_text()
    assert "squeezenet1_1" in text and "a100-sxm4-80gb" in text.lower()
    latency = (tmp_path / "study" / "data" / "latency.csv").read_text()
    assert "squeezenet1_1" in latency
