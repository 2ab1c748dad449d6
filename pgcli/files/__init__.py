"""What pgcli reads and writes: checkpoints (never unpickled blindly), output paths, TensorBoard."""
