"""The work behind each command (`pgcli train`, `evaluate`, `record`, `play`, `weights`, `plot`,
`bench`): plain functions over the engine; `pgcli/cli.py` only parses flags and prints."""
