"""Notice new, changed or removed files in the raw directory and start a run."""

import hashlib
import os

import dagster as dg

from orchestration.resources import NianbaoResource


def raw_dir_fingerprint(raw_dir) -> str:
    """Cheap fingerprint of the raw directory: paths, sizes and modification times."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            h.update(f"{os.path.join(dirpath, name)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def build_raw_dir_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
               description="Starts a run when files under NIANBAO_RAW_DIR are added, changed or removed.")
    def raw_dir_sensor(context: dg.SensorEvaluationContext, nianbao: NianbaoResource):
        fingerprint = raw_dir_fingerprint(nianbao.settings().raw_dir)
        if fingerprint == context.cursor:
            return dg.SkipReason("no change in the raw directory")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint)

    return raw_dir_sensor
