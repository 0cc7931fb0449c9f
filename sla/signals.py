"""What the SLA app tells higher layers (webhooks, notifications) after a clock changes.

Sent after the change is committed (transaction.on_commit), once per clock change:
`sla_clock_changed(sender=SlaClock, clock_ids=[...], event="at_risk"|"breached"|"met"|"paused"|...)`.
"""

from django.dispatch import Signal

sla_clock_changed = Signal()
