"""Fixtures for the evaluation tests: a finished training run with a real adapter."""

import pytest

from curation.core.demo_tickets import make_examples
from curation.core.splits import SplitConfig
from curation.models import Example
from curation.versions import freeze
from training.core.engine import TrainConfig, train
from training.core.model_info import inspect_model_folder
from training.models import BaseModel, TrainingRun


@pytest.fixture
def trained(people, tiny_model_dir, tmp_path):
    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    Example.objects.bulk_create(Example(project=people.project, author=people.annotator, status=Example.Status.APPROVED, instruction=e.instruction, input=e.input, output=e.output) for e in make_examples(n=60))
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(ratios=(0.8, 0.0, 0.2)), leakage_override="templated")
    out = tmp_path / "run"
    records = [i.record() for i in version.items.filter(split="train")]
    train(TrainConfig(base_model=str(tiny_model_dir), epochs=2, batch_size=8, learning_rate=3e-3, max_length=384, early_stopping_patience=0), records, [], out)
    return TrainingRun.objects.create(project=people.project, name="r1", dataset_version=version, base_model=base, config={}, status=TrainingRun.Status.SUCCEEDED, output_dir=str(out))


