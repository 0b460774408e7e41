"""Checks shipped to users: compare autograd with finite differences, property-test ops.

`strategies` needs the `test` extra (hypothesis) and is imported on its own:
`from tensorgrad.testing import strategies`. `check_op` (also needs hypothesis, imported
when called) runs values, gradcheck and gradgradcheck on your own op and prints a report.
"""
from .check_op import CheckResult, OpReport, check_op
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "check_op", "OpReport", "CheckResult"]
