"""`pgcli tune`: PPO's recipe found by search (Optuna), here or on a Ray cluster.

    space.py    what is searched: ranges of pgcli train's flags (`--param`), the default space
    trial.py    one trial: a benchmark suite of its own with the trial's recipe; its score and minutes
    study.py    the study: ask and tell, resuming, trials here or as Ray tasks
    report.py   the best recipe, importances, the figure

Layer: beside `pgcli.commands` (it builds on the benchmark's runs and evaluation); imports nothing
above it. Optuna is an extra (`pip install 'pgcli[tune]'`).
"""
