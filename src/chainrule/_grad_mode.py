"""Global switches read on the hot path: grad recording and anomaly detection.

They are plain one-element lists so that ops read them with one index, and live at the
bottom layer so that tensors, ops and the engine can all import them.
"""

grad_enabled = [True]
anomaly_enabled = [False]

# > 0 inside ``chainrule.autograd.forward_ad.dual_level()``: ops propagate tangents
forward_level = [0]

# None, or a ``chainrule.autograd.graph.Capture`` that keeps small forward values and
# gradients of recorded nodes for pictures (``chainrule.viz`` opens one)
capture = [None]
