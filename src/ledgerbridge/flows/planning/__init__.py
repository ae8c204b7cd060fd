"""What the planning flows (NetSuite ↔ Pigment) share: typed connections, Pigment catalog look-ups and the
push-then-wait step, the NetSuite → Pigment dimension mappings, and month labels.

Not a flow itself (it registers nothing); each planning flow is its own package beside it.
"""
