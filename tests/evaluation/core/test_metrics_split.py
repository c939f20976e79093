"""An evaluation split by where its test items came from (evaluation/core/metrics.py split_by)."""

import pytest

from evaluation.core.metrics import split_by


def test_each_origin_gets_its_own_means_and_count():
    groups = ["written", "synthetic", "written", "synthetic"]
    table = {
        "base": {"token_f1": [0.2, 0.8, 0.4, None], "json_valid": [1.0, 1.0, 0.0, 1.0]},
        "tuned": {"token_f1": [0.6, 1.0, 0.8, 0.9], "json_valid": [1.0, 1.0, 1.0, 1.0]},
    }
    out = split_by(groups, table, metrics=("token_f1", "json_valid"))
    assert out["written"]["n"] == 2 and out["synthetic"]["n"] == 2
    assert out["written"]["token_f1"] == {"base": pytest.approx(0.3), "tuned": pytest.approx(0.7)}
    assert out["synthetic"]["token_f1"] == {"base": 0.8, "tuned": 0.95}  # a missing value is left out of its mean
    assert out["written"]["json_valid"] == {"base": 0.5, "tuned": 1.0}
    assert split_by([], table) == {}
