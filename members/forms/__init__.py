from .base import PortalFormRenderer, StyledForm

__all__ = ["PortalFormRenderer", "StyledForm"]
