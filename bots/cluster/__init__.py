"""The cluster layer: the only code that imports Dask (bots.cluster.dask_engine); the package imports nothing."""
