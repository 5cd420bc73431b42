"""The partitioned parse: one Dagster step per hash-range partition, outputs in Parquet.

``nianbao_partitioned`` is the same pipeline as ``nianbao_all`` with the parse split into
``settings.parse_partitions`` (``NIANBAO_PARSE_PARTITIONS``, default 16) partitions by the first hex digits of the content
hash (nianbao.run.parquet):

    raw/file_registry ─► raw_parquet/file_registry ─► raw_parquet/part_00-0f ┐
                                                      raw_parquet/part_10-1f ├─► raw/* (merge) ─► dbt ─► checks ─► publish
                                                      …  (16 steps)          ┘

Each partition is its own asset, so its own step: an executor runs them side by side — the
multiprocess executor on one machine, a cluster executor (dagster-celery's
``celery_executor``, dagster-k8s's ``k8s_job_executor``, dagster-dask's ``dask_executor``)
across machines, with the Parquet directory on a filesystem every worker mounts. No value
passes between steps through Dagster's IO manager: each step reads and writes Parquet files, so
nothing but that directory needs to be shared. docs/scaling.md has the cluster set-up.

Why assets per partition rather than a ``PartitionsDefinition``: Dagster materialises the
partitions of a partitioned asset in separate runs (or in one step, with a single-run backfill
policy), which an executor cannot spread; separate steps of one run are what every cluster
executor distributes, and one run keeps the pipeline's contract (one atomic publish per run).
"""

import logging

import dagster as dg

from nianbao.run.parquet import parse_partition, partition_keys, write_registry
from nianbao.run.settings import Settings
from nianbao.run.warehouse import connect_work, read_file_registry
from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")
GROUP = "parse_partitions"
PARTITIONED_JOB = "nianbao_partitioned"
REGISTRY_KEY = dg.AssetKey(["raw_parquet", "file_registry"])


def partition_asset_key(key: str) -> dg.AssetKey:
    return dg.AssetKey(["raw_parquet", f"part_{key}"])


@dg.asset(key=REGISTRY_KEY, deps=[["raw", "file_registry"]], group_name=GROUP, kinds={"python", "parquet"},
          description="The file registry of this run as Parquet, read by every parse partition wherever it runs.")
def parquet_registry(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
    settings = nianbao.settings()
    con = connect_work(settings)
    try:
        entries = read_file_registry(con)
    finally:
        con.close()
    path = write_registry(settings, entries)
    return dg.MaterializeResult(metadata={"files": len(entries), "path": str(path)})


def _partition_asset(key: str) -> dg.AssetsDefinition:
    @dg.asset(key=partition_asset_key(key), deps=[REGISTRY_KEY], group_name=GROUP, kinds={"python", "parquet"},
              op_tags={"nianbao/partition": key},
              description=f"Parse partition {key}: the contents whose SHA-256 starts with {key[:2]}…{key[3:]}; "
                          "parses new or changed content and rewrites the partition's Parquet files.")
    def parse_part(context: dg.AssetExecutionContext, nianbao: NianbaoResource) -> dg.MaterializeResult:
        settings = nianbao.settings()
        s = parse_partition(settings, key)
        rate = s.parsed_now / s.seconds_parsing if s.seconds_parsing else 0.0
        progress_log.info("[parse %s] %d parsed now (%.0f reports/s), %d kept, %d removed%s",
                          key, s.parsed_now, rate, s.kept, s.removed, "" if s.rewritten else ", unchanged")
        return dg.MaterializeResult(metadata={
            "reports": s.reports, "parsed_now": s.parsed_now, "kept_unchanged": s.kept, "removed": s.removed,
            "rewritten": s.rewritten, "parse_seconds": round(s.seconds_parsing, 3),
            "write_seconds": round(s.seconds_writing, 3), "rows": dg.MetadataValue.json(s.rows),
            "parquet_dir": str(settings.parquet_dir),
        })

    return parse_part


def build_partition_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [parquet_registry] + [_partition_asset(k) for k in partition_keys(settings.parse_partitions)]


def partition_keys_assets(settings: Settings) -> list[dg.AssetKey]:
    return [partition_asset_key(k) for k in partition_keys(settings.parse_partitions)]


def partitioned_executor(settings: Settings) -> dg.ExecutorDefinition:
    """The executor of nianbao_partitioned: ``NIANBAO_PARTITION_EXECUTOR`` = ``multiprocess``
    (default, one machine), ``k8s`` (dagster-k8s: a Kubernetes job per step), ``celery``
    (dagster-celery: steps on Celery workers) or ``dask`` (dagster-dask: steps on a Dask
    cluster). The cluster packages are not dependencies of nianbao: install the one you use on
    every image that runs steps; its own settings go in the run config (docs/scaling.md)."""
    import importlib

    name = settings.partition_executor  # one of PARTITION_EXECUTORS (checked by load_settings)
    where = {"k8s": ("dagster_k8s", "k8s_job_executor"), "celery": ("dagster_celery", "celery_executor"),
             "dask": ("dagster_dask", "dask_executor")}
    if name == "multiprocess":
        return dg.multiprocess_executor
    module, attr = where[name]
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as e:
        major, minor, patch = dg.__version__.split(".")[:3]
        raise ImportError(f"NIANBAO_PARTITION_EXECUTOR={name} needs the package {module.replace('_', '-')}: "
                          f"pip install {module.replace('_', '-')}==0.{int(minor) + 16}.{patch} "
                          f"(the release matching dagster {dg.__version__})") from e


def partitioned_execution_config(settings: Settings) -> dict:
    """The run config's ``execution`` section for the chosen executor (``nianbao run --partitioned``).

    * multiprocess: at most ``NIANBAO_PARTITION_PROCESSES`` steps at once.
    * dask: the scheduler at ``NIANBAO_DASK_SCHEDULER`` (``tcp://host:8786``, a cluster already
      running: docs/scaling.md), or else a ``LocalCluster`` of ``NIANBAO_PARTITION_PROCESSES``
      single-threaded worker processes listening on the loopback interface only, for this run.
      Dask starts its worker processes as daemons, which may not start the parser processes a
      partition step forks: ``dask_worker_settings()`` says what the workers need.
    * k8s, celery: their own config comes from the run config of the deployment (docs/scaling.md).
    """
    processes = settings.partition_process_count
    if settings.partition_executor == "multiprocess":
        return {"config": {"max_concurrent": processes}}
    if settings.partition_executor == "dask":
        if settings.dask_scheduler:
            return {"config": {"cluster": {"existing": {"address": settings.dask_scheduler}}}}
        return {"config": {"cluster": {"local": {"n_workers": processes, "threads_per_worker": 1, "processes": True,
                                                 "host": "127.0.0.1", "dashboard_address": None}}}}
    return {}


def dask_worker_settings() -> dict:
    """Dask config every worker running partition steps needs (a LocalCluster started by the run
    takes it from this process; on a cluster set ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` in the
    workers' environment): non-daemon worker processes, so a step can fork its parser processes."""
    return {"distributed.worker.daemon": False}


def partitioned_job_config(settings: Settings) -> dict:
    """The job's defaults: the merge step reads the partitions, dbt reads Parquet sources; with
    the dask executor, whose config is required, the cluster ``partitioned_execution_config`` names
    (a run's own run config overrides it)."""
    config: dict = {"ops": {"parsed_reports": {"config": {"from_parquet_partitions": True}},
                            "nianbao_dbt_models": {"config": {"raw_parquet": True}}}}
    if settings.partition_executor == "dask":
        config["execution"] = partitioned_execution_config(settings)
    return config
