"""Observation of a running workspace: the usage dashboard (questions, latency, tokens, cost,
feedback, refusals, cited documents), scoped to what the reader may see."""
