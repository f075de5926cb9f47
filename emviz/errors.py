"""Typed errors. Every message says what was wrong, what was expected, what was received,
and what to do about it, so the UI can show it verbatim with ``st.error``."""

from __future__ import annotations


class EmvizError(Exception):
    """Base class of every error emviz raises on purpose."""


class DataError(EmvizError, ValueError):
    """The input data cannot be used as given (bad CSV, NaN/inf, too few points, ...)."""


class ParameterError(EmvizError, ValueError):
    """A model parameter or option has the wrong shape, type or value."""


class CollapseError(EmvizError, ValueError):
    """A component's covariance became singular (the likelihood singularity of EM).

    Attributes
    ----------
    component : int
        Index of the offending component.
    """

    def __init__(self, component: int, detail: str = "") -> None:
        self.component = int(component)
        msg = (
            f"Component {self.component} collapsed: its covariance matrix is singular or "
            f"numerically zero{(' (' + detail + ')') if detail else ''}. Expected a positive-"
            "definite covariance. This is the likelihood singularity of EM: a component "
            "shrinks onto one point (or a line/plane) and the likelihood grows without bound. "
            "Increase reg_covar, decrease the number of components, remove duplicated points, "
            "or scale the input data."
        )
        super().__init__(msg)
