"""dnnroof.chips, dnnroof.chip and dnnroof.roofline."""

import math

import dnnroof


def test_chips_table():
    gpus = dnnroof.chips(kind="gpu", precision="fp16")
    assert set(gpus["kind"]) == {"gpu"}
    a100 = gpus.set_index("id").loc["a100-sxm4-80gb"]
    # NVIDIA's A100 datasheet: 312 TFLOPS dense fp16 tensor, 2,039 GB/s HBM2e.
    assert a100["peak_flops"] == 312e12
    assert a100["bandwidth_bytes_per_s"] == 2.039e12
    assert math.isclose(a100["ridge_flop_per_byte"], 312e12 / 2.039e12)
    assert len(dnnroof.chips()) > len(gpus)


def test_chip_every_figure_with_its_source():
    c = dnnroof.chip("a100-sxm4-80gb")
    assert c.vendor == "NVIDIA"
    assert c.figure("peak fp32") == 19.5e12  # datasheet
    peaks = c.figures[c.figures["figure"].str.startswith("peak")]
    assert len(peaks) >= 5
    assert all(s.startswith("http") for s in peaks["source"])
    ridge = c.figures[c.figures["figure"].str.startswith("ridge fp32")].iloc[0]
    assert math.isclose(ridge["value"], 19.5e12 / 2.039e12)
    assert "/" in ridge["source"]  # its derivation
    assert "a100" in c._repr_html_()


def test_roofline_inline_svg_and_files(tmp_path):
    fig = dnnroof.roofline(chips=["a100-sxm4-80gb", "t4"], models=["resnet18", "alexnet"],
                           batch=8)
    assert [p[0] for p in fig.points] == ["resnet18 b8", "alexnet b8"]
    a = dnnroof.analyze("resnet18", input_size=(8, 3, 224, 224))
    assert math.isclose(fig.points[0][1], a.intensity_no_reuse)
    svg = fig._repr_svg_()
    assert "<svg" in svg and "resnet18" in svg
    out = tmp_path / "roof.svg"
    fig.save(out)
    assert "<svg" in out.read_text()
    png = tmp_path / "roof.png"
    fig.save(png)
    assert png.read_bytes()[:4] == b"\x89PNG"
