from studio.celery import app


def queue_of(task_name):
    return app.amqp.router.route({}, task_name)["queue"]


def test_tasks_are_routed_by_name():
    assert queue_of("training.tasks.train_run").name == "gpu"
    assert queue_of("training.tasks.merge_run_adapter").name == "gpu"
    assert queue_of("evaluation.tasks.generate_outputs").name == "gpu"
    assert queue_of("training.tasks.inspect_base_model").name == "default"
    assert queue_of("curation.tasks.check_dataset").name == "default"
    # each queue has its own routing key, so a GPU task never lands on a CPU-only worker
    assert queue_of("training.tasks.train_run").routing_key == "gpu"
    assert queue_of("curation.tasks.check_dataset").routing_key == "default"


def test_long_work_is_acknowledged_late_and_never_prefetched(settings):
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.TRAINING_TIME_LIMIT
