"""Global switches read on the hot path: grad recording and anomaly detection.

They are plain one-element lists so that ops read them with one index, and live at the
bottom layer so that tensors, ops and the engine can all import them.
"""

grad_enabled = [True]
anomaly_enabled = [False]
