from celery import shared_task

from training.core.model_info import ModelFolderError, inspect_model_folder
from training.models import BaseModel


@shared_task
def inspect_base_model(*, base_model_id):
    """Read a registered model folder and record what it holds, or why it cannot be used.

    Safe to run twice: it only overwrites the inspection result with a fresh one.
    """
    base_model = BaseModel.objects.filter(id=base_model_id).first()
    if base_model is None:  # deleted while queued
        return
    try:
        info = inspect_model_folder(base_model.path)
    except ModelFolderError as e:
        base_model.record_inspection(error=str(e))
    else:
        base_model.record_inspection(info=info)
