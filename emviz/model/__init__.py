"""The records a mixture is made of: its parameters and its Gaussian densities."""
