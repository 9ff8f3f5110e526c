"""A build without LibTorch (-DDNNROOF_WITH_TORCH=OFF): measuring says the
build lacks the executor, before any work; what needs no executor works."""

import os

import pytest

import dnnroof

pytestmark = pytest.mark.skipif(dnnroof._dnnroof.has_executor,
                                reason="this build has the LibTorch executor (test_bench.py)")

LACKS = "dnnroof.bench needs the LibTorch executor, which this build of dnnroof lacks"


def test_bench_says_the_build_lacks_libtorch(tmp_path):
    out = tmp_path / "results.json"
    with pytest.raises(RuntimeError, match=LACKS):
        dnnroof.bench("squeezenet1_0", budget=0.1, out=out, progress=False)
    assert not out.exists()


def test_report_that_measures_says_so_too(tmp_path):
    with pytest.raises(RuntimeError, match=LACKS):
        dnnroof.report(out=tmp_path / "study", models="squeezenet1_0", batch=1, figures=False,
                       progress=False)
    assert not os.path.exists(tmp_path / "study" / "data" / "results.json")
