"""Writes samples/notebook.npy: the seed notebook's experiment, with a fixed seed.

1000 values from uniform(-80, 100), rounded to 4 decimals, the last one set to the outlier 580,
exactly as the notebook builds its "tensor". Run: python3 samples/generate.py
"""
import os
import numpy as np

SEED = 3

rng = np.random.default_rng(SEED)
params = rng.uniform(low=-80, high=100, size=1000)
params[-1] = 580
params = np.round(params, 4)
np.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'notebook.npy'), params)
