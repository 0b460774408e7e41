"""Checks shipped to users: compare autograd with finite differences, property-test ops.

`strategies` needs the `test` extra (hypothesis) and is imported on its own:
`from tensorgrad.testing import strategies`.
"""
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
