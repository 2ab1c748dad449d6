"""The work behind each command (`pgcli train`, `play`, `evaluate`, `record`, `weights`, `export`,
`plot`, `bench`, `benchmark`): plain functions over the engine and the files; `pgcli.cli` only parses
flags and prints."""
