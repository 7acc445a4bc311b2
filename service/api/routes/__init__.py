"""One router per resource; each route only translates HTTP to the core and back."""
