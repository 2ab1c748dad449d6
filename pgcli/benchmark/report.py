"""The benchmark's report, made from the files in its folder alone: report.json, report.md, report.png.

Per game: the evaluated score (mean over the run's games, then over seeds), its HNS by both human
tables (`pgcli.base.references`), convolutional PPO's published scores beside it, agent steps and
minutes of training. Over the suite: first the interquartile mean of the HNS (Agent57's table) with
its 95 % bootstrap interval (`benchmark_stats`), with and without games whose evaluation stalled;
then the median and mean HNS (and by the DQN paper's table over the games it has), and the Atari-5
estimate of the 57-game median when its five games are in. The report names the games of the suite
on which the recipe's defaults were chosen (`config.CHOSEN_ON`), and the protocol of the published
numbers beside pgcli's.
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path

from pgcli.base import references
from pgcli.benchmark.suite import Suite, describe_recipe, run_name, status
from pgcli.benchmark.stats import bootstrap_iqm, iqm
from pgcli.base.config import CHOSEN_ON
from pgcli.base.errors import PgcliError
from pgcli.files.atomic import atomic_write
from pgcli.files.metrics import find_metrics, open_metrics


def build(folder: Path, suite: Suite) -> dict:
    """The suite's report as data: each run, each game (seeds pooled), the aggregates beside CleanRL's."""
    rows = _runs(Path(folder), suite)
    per_game = [_game(game, [r for r in rows if r["game"] == game], suite) for game in suite.games]
    out = {"suite": {"games": list(suite.games), "steps": suite.steps, "seeds": list(suite.seeds),
                     "runs": [list(r) for r in suite.runs], "recipe": suite.recipe,
                     "evaluation": {"games": suite.eval_games, "seed": suite.eval_seed, "sticky_actions": 0.25,
                                    "max_frames_per_game": 108_000, "life_loss_ends_episode": False}},
           "games": per_game, "runs": rows}
    for table in ("agent57", "nature"):
        vals = [g[f"hns_{table}"] for g in per_game if g[f"hns_{table}"] is not None]
        out[f"median_hns_{table}"] = statistics.median(vals) if vals else None
        out[f"mean_hns_{table}"] = statistics.fmean(vals) if vals else None
        out[f"games_in_hns_{table}"] = len(vals)
    scored = [g for g in per_game if g["hns_agent57"] is not None]  # CleanRL's medians: on the games pgcli has a score for
    out["cleanrl_ppo_10m_median_hns_agent57"] = _median(scored, "cleanrl_ppo_10m_hns_agent57")
    stalled = [g["game"] for g in per_game if g["eval_games"] and 2 * g["games_at_frame_cap"] > g["eval_games"]]
    out["stalled_games"] = stalled  # most evaluation games ran to the time cap
    kept = [g for g in scored if g["game"] not in stalled] if stalled else []
    out["median_hns_agent57_without_stalled"] = _median(kept, "hns_agent57")
    out["cleanrl_ppo_10m_median_hns_agent57_without_stalled"] = _median(kept, "cleanrl_ppo_10m_hns_agent57")
    out.update(_aggregate(scored, rows, stalled, suite))
    five = {g["game"]: g["hns_agent57"] for g in per_game if g["hns_agent57"] is not None}
    out["atari5_median57_estimate"] = references.atari5_estimate(five)
    out["cleanrl_ppo_10m_atari5_estimate"] = references.atari5_estimate(  # the same regression on its scores
        {g: references.hns(g, references.REFERENCES[g].cleanrl_ppo, "agent57") for g in references.ATARI5})
    return out


def _runs(folder: Path, suite: Suite) -> list[dict]:
    """Each run of the suite: its agent steps, minutes and evaluation (none yet: score None)."""
    rows = []
    for st in status(folder, suite):
        name = run_name(st.game, st.seed)
        if not (folder / f"{name}.p").exists():  # a committed folder keeps the CSVs alone
            st.steps, st.seconds = recorded(folder, name)
            st.finished = st.steps >= suite.steps
        ev_path = folder / f"{name}.evaluate.json"
        ev = json.loads(ev_path.read_text()) if ev_path.exists() else {}
        rows.append({"game": st.game, "seed": st.seed, "steps": st.steps, "minutes": st.seconds / 60,
                     "finished": st.finished, "score": ev.get("mean_reward"), "score_se": _standard_error(ev),
                     "rewards": ev.get("rewards") or ([ev["mean_reward"]] if "mean_reward" in ev else None),
                     "eval_games": ev.get("episodes"),
                     "games_at_frame_cap": _at_cap(ev)})
    return rows


def _game(game: str, runs: list[dict], suite: Suite) -> dict:
    """One game's line: the mean of its seeds' scores, its standard error, HNS on both tables, CleanRL's."""
    scores = [r["score"] for r in runs if r["score"] is not None]
    ref = references.REFERENCES.get(game)
    score = statistics.fmean(scores) if scores else None
    errors = [r["score_se"] for r in runs if r["score"] is not None]
    timed = [r for r in runs if r["score"] is not None] or [r for r in runs if r["steps"]]  # a seed not begun takes none
    return {
        "game": game, "seeds": len(scores), "seeds_planned": list(suite.seeds_of(game)), "score": score,
        "scores": scores,
        "score_se":  # the standard error of `score` over the games played (of a mean of seeds' means)
            (sum(e * e for e in errors) ** 0.5 / len(errors)) if errors and None not in errors else None,
        "hns_agent57": None if score is None else references.hns(game, score, "agent57"),
        "hns_nature": None if score is None else references.hns(game, score, "nature"),
        "steps": max((r["steps"] for r in runs), default=0),
        "minutes": statistics.fmean([r["minutes"] for r in timed]) if timed else 0.0,
        "finished": all(r["finished"] for r in runs),
        "games_at_frame_cap": sum(r["games_at_frame_cap"] or 0 for r in runs),
        "eval_games": sum(r["eval_games"] or 0 for r in runs),
        "cleanrl_ppo_10m": ref.cleanrl_ppo if ref else None,
        "cleanrl_ppo_10m_hns_agent57": references.hns(game, ref.cleanrl_ppo, "agent57") if ref and ref.cleanrl_ppo is not None else None,
        "ppo_paper_40m_frames": ref.ppo_paper if ref else None,
    }


def _aggregate(scored: list[dict], rows: list[dict], stalled: list[str], suite: Suite) -> dict:
    """The interquartile mean of the games' HNS (Agent57's table) with its 95 % interval, with and
    without the stalled games; CleanRL's on the same games; the games the recipe was chosen on."""
    out = {"iqm_resamples": "each run's evaluation games, and the runs of a game with several seeds"}
    for suffix, games in (("", scored), ("_without_stalled", [g for g in scored if g["game"] not in stalled])):
        runs = [[r["rewards"] for r in rows if r["game"] == g["game"] and r["rewards"]] for g in games]
        if len(games) < 2 or not all(runs):
            out[f"iqm_hns_agent57{suffix}"] = out[f"iqm_hns_agent57{suffix}_ci95"] = None
            continue
        point, ci = bootstrap_iqm(runs, lambda i, s: references.hns(games[i]["game"], s, "agent57"))
        out[f"iqm_hns_agent57{suffix}"], out[f"iqm_hns_agent57{suffix}_ci95"] = point, list(ci)
        theirs = [g["cleanrl_ppo_10m_hns_agent57"] for g in games]
        out[f"cleanrl_ppo_10m_iqm_hns_agent57{suffix}"] = float(iqm(theirs)) if None not in theirs else None
    out["recipe_chosen_on"] = {what: [g for g in games if g in suite.games]
                               for field, (what, games) in CHOSEN_ON.items()
                               if field not in suite.recipe and any(g in suite.games for g in games)}
    return out


def _median(games: list[dict], key: str) -> float | None:
    """The median of `key` over the games that have it (None if none has)."""
    vals = [g[key] for g in games if g[key] is not None]
    return statistics.median(vals) if vals else None


def recorded(folder: Path, name: str) -> tuple[int, float]:
    """(agent steps, seconds) of a run without its checkpoint, from its metrics' last row ((0, 0.0)
    without one): a suite's folder kept in git (CSVs and evaluations, no 41 MB states) reports too."""
    path = find_metrics(folder, name)
    if path is None:
        return 0, 0.0
    try:
        with open_metrics(path) as f:
            last = None
            for last in csv.DictReader(f):
                pass
        return (0, 0.0) if last is None else (int(float(last["total_steps"])), float(last["seconds"]))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError):
        raise PgcliError(f"{path}: not a pgcli metrics CSV") from None


def _standard_error(ev: dict) -> float | None:
    """The standard error of an evaluation's mean score, from its games' scores (None without 2)."""
    scores = ev.get("rewards") or []
    return statistics.stdev(scores) / len(scores) ** 0.5 if len(scores) >= 2 else None


def _at_cap(ev: dict) -> int | None:
    """Evaluation games that ran to the 108,000-frame limit (a stall, not a finished game); older
    evaluations have only the mean length: all of them when it is the limit (frameskip 4)."""
    if "games_at_frame_cap" in ev:
        return int(ev["games_at_frame_cap"])
    if "mean_episode_steps" in ev:
        return ev["episodes"] if ev["mean_episode_steps"] * 4 >= ev.get("max_frames_per_game", 108_000) else 0
    return None


def _f(v, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def _seeds(report: dict) -> str:
    """'seeds 1' when every game has the same seeds, else each seed set with its games."""
    by = {}
    for g in report["games"]:
        by.setdefault(tuple(g["seeds_planned"]), []).append(g["game"])
    if len(by) == 1:
        return f"seeds {', '.join(map(str, next(iter(by))))}"
    return "; ".join(f"seeds {', '.join(map(str, seeds))} for {', '.join(games)}" for seeds, games in by.items())


def run_mark(g: dict) -> str:
    """How far a game of the report is: '', 'unfinished', '1 of 3 seeds' or 'mean of 3 seeds'."""
    planned = len(g["seeds_planned"])
    if planned > 1 and g["seeds"]:
        return f"{g['seeds']} of {planned} seeds" if g["seeds"] < planned else f"mean of {planned} seeds"
    return "" if g["finished"] else "unfinished"


def markdown(report: dict) -> str:
    s = report["suite"]
    ev = s["evaluation"]
    lines = [
        "# pgcli benchmark",
        "",
        f"{describe_recipe(s.get('recipe', {}))} (one recipe for every game), {s['steps']:,} agent steps a run, {_seeds(report)}. "
        f"Evaluated: {ev['games']} games per run, sticky actions 0.25, whole games (no life-loss signal), "
        f"at most 108,000 frames a game, actions sampled (seed {ev['seed']}). HNS = (score - random) / (human - random); ± the score's standard error over the games played.",
        "",
        "| game | score | HNS (Agent57) | HNS (DQN paper) | CleanRL conv. PPO, 10M steps | PPO paper, 40M frames | agent steps | minutes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for g in report["games"]:
        mark = f" ({run_mark(g)})" if run_mark(g) else ""
        if g["games_at_frame_cap"]:
            mark += f" ({g['games_at_frame_cap']} of {g['eval_games']} games cut at the frame cap)"
        se = f" ± {g['score_se']:,.1f}" if g.get("score_se") is not None else ""
        lines.append(f"| {g['game']}{mark} | {_f(g['score'], ',.1f')}{se} | {_f(g['hns_agent57'], '.2f')} | {_f(g['hns_nature'], '.2f')} "
                     f"| {_f(g['cleanrl_ppo_10m'], ',.1f')} ({_f(g['cleanrl_ppo_10m_hns_agent57'], '.2f')}) | {_f(g['ppo_paper_40m_frames'], ',.1f')} "
                     f"| {g['steps']:,} | {g['minutes']:.1f} |")
    lines += [""] + _headline(report) + [
        f"- Median HNS (Agent57's table, {report['games_in_hns_agent57']} games): {_f(report['median_hns_agent57'], '.2f')} "
        f"(mean {_f(report['mean_hns_agent57'], '.2f')}); CleanRL's convolutional PPO at 10M steps on the same games: "
        f"{_f(report['cleanrl_ppo_10m_median_hns_agent57'], '.2f')}.",
        f"- Median HNS by the DQN paper's table ({report['games_in_hns_nature']} games): {_f(report['median_hns_nature'], '.2f')} "
        f"(mean {_f(report['mean_hns_nature'], '.2f')}).",
        f"- Atari-5 estimate of the median HNS over the 57 games: {_f(report['atari5_median57_estimate'], '.2f')} "
        "(Aitchison, Sweetser and Hutter, ICML 2023; needs Battle Zone, Double Dunk, Name This Game, Phoenix and Q*bert); "
        f"the same regression on CleanRL's convolutional PPO at 10M steps: {_f(report.get('cleanrl_ppo_10m_atari5_estimate'), '.2f')}.",
        "- CleanRL's numbers are its training returns (the mean of its last games in training) with exact controls "
        "(EnvPool's default: no sticky actions); pgcli's are an evaluation with sticky actions 0.25: a harder protocol.",
    ]
    chosen = report.get("recipe_chosen_on") or {}
    if chosen:
        lines.append("- Chosen on games of this suite (not judged blind here): "
                     + "; ".join(f"{what} on {', '.join(games)}" for what, games in chosen.items()) + ".")
    stalled = [g["game"] for g in report["games"] if g["games_at_frame_cap"]]
    if stalled:
        lines.append(f"- Evaluation games cut at the 108,000-frame cap ({', '.join(stalled)}): the agent stalled until "
                     "the time limit, and the score counts the points of a game that did not end (a stall that "
                     "avoids losing points can score above human).")
    if report.get("median_hns_agent57_without_stalled") is not None:
        lines.append(f"- Without the games whose evaluation mostly stalled ({', '.join(report['stalled_games'])}): median HNS "
                     f"{report['median_hns_agent57_without_stalled']:.2f}; CleanRL's convolutional PPO on the same games: "
                     f"{_f(report['cleanrl_ppo_10m_median_hns_agent57_without_stalled'], '.2f')}.")
    lines.append("")
    return "\n".join(lines)


def _headline(report: dict) -> list[str]:
    """The lead: the IQM and its interval, with and without the stalled games."""
    iqm_, ci = report.get("iqm_hns_agent57"), report.get("iqm_hns_agent57_ci95")
    if iqm_ is None:
        return []
    stalled = report.get("stalled_games") or []
    lines = [f"- **Interquartile mean HNS** (Agent57's table, {report['games_in_hns_agent57']} games): **{iqm_:.2f}**, "
             f"95 % interval {ci[0]:.2f}-{ci[1]:.2f} (bootstrap over {report['iqm_resamples']})"
             + (f", {', '.join(stalled)}'s stall counted as scored" if stalled else "")
             + f"; CleanRL's convolutional PPO at 10M steps on the same games: {_f(report.get('cleanrl_ppo_10m_iqm_hns_agent57'), '.2f')}."]
    if stalled and report.get("iqm_hns_agent57_without_stalled") is not None:
        lo, hi = report["iqm_hns_agent57_without_stalled_ci95"]
        lines.append(f"- **Without {', '.join(stalled)}** (its evaluation stalled): IQM **{report['iqm_hns_agent57_without_stalled']:.2f}**, "
                     f"95 % interval {lo:.2f}-{hi:.2f}; CleanRL's on the same games: "
                     f"{_f(report.get('cleanrl_ppo_10m_iqm_hns_agent57_without_stalled'), '.2f')}.")
    return lines


def write(folder: Path, suite: Suite) -> dict:
    """report.json, report.md and (with matplotlib) report.png in the folder -> the report."""
    folder = Path(folder)
    if not any((folder / f"{run_name(g, s)}.p").exists() or find_metrics(folder, run_name(g, s)) for g, s in suite.runs):
        raise PgcliError(f"{folder}: no benchmark run to report yet (start it with pgcli benchmark -o {folder})")
    report = build(folder, suite)
    atomic_write(folder / "report.json", (json.dumps(report, indent=1) + "\n").encode())
    atomic_write(folder / "report.md", markdown(report).encode())
    from pgcli.benchmark.figure import figure

    report["figure"] = figure(folder, suite, report)
    return report
