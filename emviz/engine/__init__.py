"""The algorithms: EM and its kernels, k-means, variational Bayes, the singularity
remedies, restarts, model selection, basin maps, the two-coins example, a fitted
mixture applied to new rows, and the scikit-learn script that reproduces a fit."""
