"""The monthly aiadopt reports as an Airflow DAG (docs/running-every-month.md).

Each run publishes the month of its data interval with the ``aiadopt
report`` command, in a BashOperator. Not with PapermillOperator: it would
execute one notebook and bypass what the command does around the notebooks:
the data are validated before any kernel starts, every report runs in its own
process and kernel (a failing report does not take the others down), the
privacy audit and the results store are made once, and the month is published
in one atomic switch, or not at all, under a lock. The command's exit code is
the task's: 0 published (or already published from the same data: a retry
or a re-run of a month that went well rewrites nothing), 1 reports failed
(the others are published), 2 bad input or options, 3 the month is locked by
another run.

Copy this file into the DAG folder, set ``AIADOPT`` (the ``aiadopt``
command of the checkout's or the worker's virtual environment) and
``CONFIG``, the project config with the data source, the reports folder and
aiadopt's own alerts (``aiadopt init --config FILE`` writes a starter;
docs/config.md).

The schedule is the 3rd of each month at 06:00 (UTC), when the previous
month's data are in, with a data interval from one 3rd to the next: the run
on 3 November has the interval 3 October to 3 November, and so reports on
October. ``catchup=True`` makes a run for every
month since ``start_date`` that has none yet (a backfill, one month at a
time); a retry re-runs the month, which replaces that month's reports.
"""

from __future__ import annotations

import datetime as dt

from airflow import DAG

try:  # Airflow 3: the standard provider
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator
from airflow.timetables.interval import CronDataIntervalTimetable

AIADOPT = "/opt/aiadopt/.venv/bin/aiadopt"
CONFIG = "/etc/aiadopt/aiadopt.toml"

with DAG(
    dag_id="aiadopt_monthly",
    description="The monthly aiadopt reports: aiadopt report for the month of the data interval",
    # A data interval from one 3rd to the next. Not the plain string "0 6 3 * *": from
    # Airflow 3 on, that is a trigger with an empty interval (start = end = the run's
    # date), which would report on the month the run happens in.
    schedule=CronDataIntervalTimetable("0 6 3 * *", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 3, tzinfo=dt.UTC),
    catchup=True,
    max_active_runs=1,  # one month at a time: each run already uses --workers processes
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=30),
        "execution_timeout": dt.timedelta(hours=4),
    },
    params={"aiadopt": AIADOPT, "config": CONFIG},
    tags=["aiadopt"],
) as dag:
    BashOperator(
        task_id="aiadopt_report",
        bash_command=(
            "{{ params.aiadopt }} report --config {{ params.config }} "
            "--period {{ data_interval_start.strftime('%Y-%m') }}"
        ),
    )
