"""`pgcli benchmark`: one recipe over a suite of games, each an ordinary pgcli run in one folder.

    suite.py     what a suite is (suite.json), its runs' status, training and evaluating them in turn
    on_ray.py    the runs as Ray tasks (--parallel, --ray-address)
    report.py    report.json / .md from the folder alone: per game, and over the suite (figure.py: report.png)
    stats.py     the interquartile mean and its bootstrap interval
    compare.py   two suites at equal agent steps (--compare)
    record.py    the suite's agents playing side by side in one picture (--record)

Layer: beside `pgcli.commands` (it trains and evaluates through them); `pgcli.tune` builds on it.
"""
