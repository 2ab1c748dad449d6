"""The engine: the seed's network and math (dense reference and sparse fast path), the
optimizers, the step log, the collector that plays the games and the trainer loop."""
