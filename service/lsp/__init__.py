"""The language server: plan review in any LSP editor (``planreview lsp``).

- ``server.py``   state per document, worker threads, publishing, the critique
- ``handlers.py`` the LSP handlers (short, guarded) and ``serve()``
- ``analysis.py`` the rule tier on an editor buffer (no LSP types)
- ``positions.py`` plan spans <-> LSP positions (UTF-16 by default)
- ``diagnostics.py``, ``hover.py``, ``actions.py`` + ``edits.py`` the features
- ``critique.py`` the LLM critique runner; ``debounce.py``; ``settings.py``
"""
