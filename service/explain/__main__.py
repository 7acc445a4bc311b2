"""`python -m service.explain > docs/rules.md`: the rule reference, regenerated."""

import sys

from service.explain import catalogue_markdown

sys.stdout.write(catalogue_markdown())
