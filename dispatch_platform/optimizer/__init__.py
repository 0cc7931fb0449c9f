"""Pure dispatch optimiser: no Django (see shared/optimizer-contract.md)."""
