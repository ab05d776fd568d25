"""Compute planning: GPU and model catalogs, training, memory, serving and pool plans."""
