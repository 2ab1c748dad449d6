"""What pgcli reads and writes: atomic writes, checkpoints (never unpickled blindly), agents from
files, the metrics CSV, a run's files (saver, lock, snapshots) and the output commands' files."""
