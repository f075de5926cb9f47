"""Data in and out of the engine: CSV loading, column choice, synthetic mixtures and
presets, preprocessing, cluster summaries."""
